/**
 * A small TOML reader for the tests of `setup codex`: tables, arrays of tables, dotted keys,
 * basic and literal strings (one-line and multi-line), integers, floats, booleans, arrays and
 * inline tables. It rejects what TOML rejects in those: a key or table defined twice, a table
 * header over a value. Dates and the rarer escapes are out of scope (test/toml.test.ts).
 */
type Table = { [key: string]: unknown };

const isTable = (value: unknown): value is Table =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function parseToml(text: string): Table {
  const root: Table = {};
  /** Tables made by a header or a key (may not be reopened), as opposed to implicit parents. */
  const defined = new Set<Table>();
  let at = 0;
  let current = root;

  const fail = (message: string): never => {
    const line = text.slice(0, at).split("\n").length;
    throw new Error(`TOML line ${line}: ${message}`);
  };
  const skipSpace = () => {
    while (text[at] === " " || text[at] === "\t") at++;
  };
  const skipBlank = () => {
    for (;;) {
      skipSpace();
      if (text[at] === "#") while (at < text.length && text[at] !== "\n") at++;
      if (text[at] === "\n" || text[at] === "\r") at++;
      else return;
    }
  };
  const endOfLine = () => {
    skipSpace();
    if (text[at] === "#") while (at < text.length && text[at] !== "\n") at++;
    if (text[at] === "\r") at++;
    if (at < text.length && text[at] !== "\n") fail(`unexpected ${JSON.stringify(text[at])}`);
    at++;
  };

  const basicString = (): string => {
    const multi = text.startsWith('"""', at);
    at += multi ? 3 : 1;
    if (multi && text[at] === "\n") at++;
    let out = "";
    for (;;) {
      if (at >= text.length) fail("unterminated string");
      if (multi ? text.startsWith('"""', at) : text[at] === '"') break;
      const c = text[at] as string;
      if (!multi && c === "\n") fail("newline in a string");
      if (c === "\\") {
        const sequence = /^\\(u[0-9a-fA-F]{4}|[btnfr"\\])/.exec(text.slice(at, at + 6));
        if (!sequence) fail("bad escape");
        out += JSON.parse(`"${sequence?.[0]}"`) as string;
        at += sequence?.[0].length ?? 0;
      } else {
        out += c;
        at++;
      }
    }
    at += multi ? 3 : 1;
    return out;
  };
  const literalString = (): string => {
    const multi = text.startsWith("'''", at);
    at += multi ? 3 : 1;
    if (multi && text[at] === "\n") at++;
    const end = text.indexOf(multi ? "'''" : "'", at);
    if (end === -1) fail("unterminated string");
    const out = text.slice(at, end);
    if (!multi && out.includes("\n")) fail("newline in a string");
    at = end + (multi ? 3 : 1);
    return out;
  };

  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpace();
      if (text[at] === '"') parts.push(basicString());
      else if (text[at] === "'") parts.push(literalString());
      else {
        const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(at));
        if (!bare) fail("expected a key");
        parts.push(bare?.[0] ?? "");
        at += bare?.[0].length ?? 0;
      }
      skipSpace();
      if (text[at] !== ".") return parts;
      at++;
    }
  };

  const value = (): unknown => {
    skipSpace();
    const c = text[at];
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === "[") {
      at++;
      const items: unknown[] = [];
      for (;;) {
        skipBlank();
        if (text[at] === "]") break;
        items.push(value());
        skipBlank();
        if (text[at] === ",") at++;
        else if (text[at] !== "]") fail("expected , or ] in an array");
      }
      at++;
      return items;
    }
    if (c === "{") {
      at++;
      const table: Table = {};
      skipSpace();
      if (text[at] === "}") {
        at++;
        return table;
      }
      for (;;) {
        assign(table, key());
        skipSpace();
        if (text[at] === "}") break;
        if (text[at] !== ",") fail("expected , or } in an inline table");
        at++;
      }
      at++;
      defined.add(table);
      return table;
    }
    const word =
      /^(true|false|[+-]?(?:inf|nan)|[+-]?[0-9_]+(?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?)/.exec(
        text.slice(at),
      );
    if (!word) return fail("expected a value");
    at += word[0].length;
    if (word[0] === "true" || word[0] === "false") return word[0] === "true";
    return Number(word[0].replace(/_/g, ""));
  };

  /** `a.b.c = value` into `table`: a and b are (implicit) tables, c must be new. */
  function assign(table: Table, path: string[]) {
    skipSpace();
    if (text[at] !== "=") fail("expected =");
    at++;
    let into = table;
    for (const part of path.slice(0, -1)) {
      const next = into[part] ?? {};
      if (!isTable(next)) fail(`${part} is not a table`);
      into[part] = next;
      into = next as Table;
    }
    const last = path.at(-1) as string;
    if (Object.hasOwn(into, last)) fail(`${path.join(".")} is defined twice`);
    into[last] = value();
  }

  const header = () => {
    const array = text.startsWith("[[", at);
    at += array ? 2 : 1;
    const path = key();
    if (!text.startsWith(array ? "]]" : "]", at)) fail("unterminated table header");
    at += array ? 2 : 1;
    let into = root;
    for (const part of path.slice(0, -1)) {
      let next = into[part] ?? {};
      if (Array.isArray(next)) next = next.at(-1);
      if (!isTable(next)) fail(`${part} is not a table`);
      into[part] = into[part] ?? next;
      into = next as Table;
    }
    const last = path.at(-1) as string;
    if (array) {
      const list = into[last] ?? [];
      if (!Array.isArray(list)) fail(`${path.join(".")} is not an array of tables`);
      const table: Table = {};
      (list as Table[]).push(table);
      into[last] = list;
      current = table;
    } else {
      const existing = into[last];
      if (existing !== undefined && (!isTable(existing) || defined.has(existing))) {
        fail(`[${path.join(".")}] is defined twice`);
      }
      const table = (existing as Table | undefined) ?? {};
      into[last] = table;
      defined.add(table);
      current = table;
    }
  };

  for (;;) {
    skipBlank();
    if (at >= text.length) return root;
    if (text[at] === "[") header();
    else assign(current, key());
    endOfLine();
  }
}
