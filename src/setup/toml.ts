/**
 * The one TOML table `setup codex` writes, and merging it into a config.toml it did not write.
 * No TOML library: the table holds strings and arrays of strings only, and the merge reads no
 * values, only where tables start (outside multi-line strings) and which keys sit at the top of
 * `[mcp_servers]`, enough to find an existing server of the same name in any form TOML allows.
 */

export class TomlMergeError extends Error {
  override name = "TomlMergeError";
}

/** A JSON string is a valid TOML basic string (same escapes, \uXXXX for control characters). */
const tomlString = (value: string) => JSON.stringify(value);

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const tomlKey = (key: string) => (BARE_KEY.test(key) ? key : tomlString(key));

function tomlValue(value: unknown, field: string): string {
  if (typeof value === "string") return tomlString(value);
  if (Array.isArray(value))
    return `[${value.map((v, i) => tomlValue(v, `${field}[${i}]`)).join(", ")}]`;
  throw new TomlMergeError(`${field}: only strings and arrays of strings are written`);
}

/** `[prefix.name]` with one `key = value` line per field, in the order given. */
export function renderTable(path: string[], fields: Record<string, unknown>): string {
  const lines = [`[${path.map(tomlKey).join(".")}]`];
  for (const [key, value] of Object.entries(fields)) {
    lines.push(`${tomlKey(key)} = ${tomlValue(value, key)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Splits a dotted key (`a."b.c".d`) into its parts, unquoted. */
export function splitKey(raw: string): string[] {
  const parts: string[] = [];
  let rest = raw.trim();
  while (rest.length) {
    const quoted = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(rest);
    if (quoted) {
      parts.push(quoted[2] ?? (JSON.parse(`"${quoted[1]}"`) as string));
      rest = rest.slice(quoted[0].length);
    } else {
      const bare = /^[^.\s]+/.exec(rest);
      if (!bare) throw new TomlMergeError(`cannot read the key ${JSON.stringify(raw)}`);
      parts.push(bare[0]);
      rest = rest.slice(bare[0].length);
    }
    rest = rest.trimStart();
    if (rest.startsWith(".")) rest = rest.slice(1).trimStart();
    else if (rest.length) throw new TomlMergeError(`cannot read the key ${JSON.stringify(raw)}`);
  }
  return parts;
}

interface Line {
  text: string;
  /** The table path of a `[header]` or `[[header]]` line. */
  header?: string[];
  /** The first part of a `key = ...` line's key, with the table it sits in. */
  key?: { path: string[]; table: string[] };
}

/** Reads line by line, skipping the insides of multi-line strings. */
function scan(text: string): Line[] {
  const lines: Line[] = [];
  let table: string[] = [];
  let inString: '"""' | "'''" | undefined;
  for (const raw of text.split("\n")) {
    const line: Line = { text: raw };
    lines.push(line);
    if (inString) {
      if (raw.includes(inString)) inString = undefined;
      continue;
    }
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(raw);
    if (header?.[1]) {
      table = splitKey(header[1]);
      line.header = table;
      continue;
    }
    const assignment =
      /^\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[^=#"'\s]+)(?:\s*\.\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^=#"'\s.]+))*)\s*=(.*)$/.exec(
        raw,
      );
    if (assignment?.[1]) {
      line.key = { path: splitKey(assignment[1]), table };
      const value = assignment[2] ?? "";
      for (const delimiter of ['"""', "'''"] as const) {
        const at = value.indexOf(delimiter);
        if (at !== -1 && value.indexOf(delimiter, at + 3) === -1) inString = delimiter;
      }
    }
  }
  return lines;
}

const startsWith = (path: string[], prefix: string[]) =>
  prefix.length <= path.length && prefix.every((part, i) => path[i] === part);

/**
 * config.toml with `[prefix.name]` added at the end. An existing server of that name is an
 * error without `force`; with it, its table and subtables are removed first. A server defined
 * inline or by dotted keys is left for the user to edit: rewriting those safely needs a parser.
 */
export function mergeTable(
  text: string,
  prefix: string,
  name: string,
  fields: Record<string, unknown>,
  force: boolean,
): { text: string; replaced: boolean } {
  const target = [prefix, name];
  const lines = scan(text);
  const tables = lines.filter((line) => line.header && startsWith(line.header, target));
  const other = lines.find(
    (line) =>
      line.key &&
      startsWith([...line.key.table, ...line.key.path], target) &&
      !startsWith(line.key.table, target),
  );
  const inline = lines.find(
    (line) => line.key && [...line.key.table, ...line.key.path].join("\0") === prefix,
  );
  if (inline) {
    throw new TomlMergeError(
      `${prefix} is an inline table ("${inline.text.trim().slice(0, 80)}"): add ${name} to it by hand`,
    );
  }
  if (other) {
    throw new TomlMergeError(
      `${prefix}.${name} is already defined in the line "${other.text.trim().slice(0, 80)}"; ` +
        `${force ? "setup rewrites only [tables]: edit or remove it by hand" : "pass --force to replace it, or --name for another name"}`,
    );
  }
  if (tables.length && !force) {
    throw new TomlMergeError(
      `[${prefix}.${name}] already exists: pass --force to replace it, or --name for another name`,
    );
  }
  let kept = lines;
  if (tables.length) {
    let dropping = false;
    kept = lines.filter((line) => {
      if (line.header) dropping = startsWith(line.header, target);
      return !dropping;
    });
  }
  let body = kept.map((line) => line.text).join("\n");
  body = body.replace(/\s*$/, "");
  const table = renderTable(target, fields);
  return { text: body ? `${body}\n\n${table}` : table, replaced: tables.length > 0 };
}
