/** node:fs plus globSync for `*`, `?` and `**` patterns under options.cwd (Node 22's, in small). */
import fs from "node:fs";
import { sep } from "node:path";

export * from "node:fs";
export default fs;

function toRegExp(pattern) {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      const dir = pattern[i + 2] === "/";
      source += dir ? "(?:.*/)?" : ".*";
      i += dir ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function globSync(patterns, options = {}) {
  const cwd = options.cwd ?? process.cwd();
  const tests = [patterns].flat().map(toRegExp);
  return fs
    .readdirSync(cwd, { recursive: true })
    .map((entry) => String(entry).split(sep).join("/"))
    .filter((entry) => tests.some((test) => test.test(entry)));
}
