/**
 * The TOML `setup codex` writes and merges (src/setup/toml.ts), read back by the tests' own
 * small reader (test/support/toml.ts), which is tested here too.
 */
import { describe, expect, it } from "vitest";
import { mergeTable, renderTable, splitKey, TomlMergeError } from "../src/setup/toml.js";
import { parseToml } from "./support/toml.js";

const FIELDS = { command: "/usr/bin/node", args: ["/opt/cs/dist/cli.js", "--read-only"] };

describe("the tests' TOML reader", () => {
  it("reads tables, arrays of tables, dotted keys, strings, numbers, arrays and inline tables", () => {
    const doc = parseToml(`# comment
model = "o4" # trailing
answer = 42
ratio = 0.5
on = true
path = 'C:\\Users\\ava'
text = """
two
lines"""
raw = '''keep \\n'''
[a.b]
list = [
  "x", # comment
  "y\\u00e9\\"",
]
inline = { k = "v", n = 1 }
x.y = "dotted"
[[items]]
n = 1
[[items]]
n = 2
["quoted.key"]
v = "q"
`);
    expect(doc).toEqual({
      model: "o4",
      answer: 42,
      ratio: 0.5,
      on: true,
      path: "C:\\Users\\ava",
      text: "two\nlines",
      raw: "keep \\n",
      a: { b: { list: ["x", 'yé"'], inline: { k: "v", n: 1 }, x: { y: "dotted" } } },
      items: [{ n: 1 }, { n: 2 }],
      "quoted.key": { v: "q" },
    });
  });

  it("refuses what TOML refuses: a key or a table twice, garbage, unterminated strings", () => {
    expect(() => parseToml("a = 1\na = 2\n")).toThrow(/a is defined twice/);
    expect(() => parseToml("[t]\n[t]\n")).toThrow(/\[t\] is defined twice/);
    expect(() => parseToml("a = 1 b\n")).toThrow(/line 1/);
    expect(() => parseToml('a = "open\n')).toThrow(/newline in a string/);
    expect(() => parseToml("a = 1\n[a]\n")).toThrow(/defined twice/);
  });
});

describe("renderTable", () => {
  it("writes strings and string arrays that read back exactly, Windows paths and quotes included", () => {
    const fields = { command: "C:\\Program Files\\nodejs\\node.exe", args: ['a "b"', "ü\t"] };
    const text = renderTable(["mcp_servers", "clicksend"], fields);
    expect(text.split("\n")[0]).toBe("[mcp_servers.clicksend]");
    expect(parseToml(text)).toEqual({ mcp_servers: { clicksend: fields } });
  });

  it("refuses a value it cannot write, naming the field", () => {
    expect(() => renderTable(["t"], { port: 8787 })).toThrow(/port: only strings/);
  });
});

describe("splitKey", () => {
  it("splits dotted keys, quoted parts unquoted", () => {
    expect(splitKey(` mcp_servers . "click.send" .'x'`)).toEqual([
      "mcp_servers",
      "click.send",
      "x",
    ]);
  });
});

describe("mergeTable", () => {
  const existing = `model = "o4-mini"

[mcp_servers.other]
command = "other"
args = ["""
[mcp_servers.clicksend]
"""]

[profiles.work]
model = "gpt"
`;

  it("appends the table and keeps every other table and value", () => {
    const { text, replaced } = mergeTable(existing, "mcp_servers", "clicksend", FIELDS, false);
    expect(replaced).toBe(false);
    expect(text.startsWith(existing.trimEnd())).toBe(true);
    const doc = parseToml(text);
    expect(doc.mcp_servers).toEqual({
      other: { command: "other", args: ["[mcp_servers.clicksend]\n"] },
      clicksend: FIELDS,
    });
    expect(doc.profiles).toEqual({ work: { model: "gpt" } });
    expect(doc.model).toBe("o4-mini");
  });

  it("writes a new file's only table", () => {
    expect(parseToml(mergeTable("", "mcp_servers", "cs", FIELDS, false).text)).toEqual({
      mcp_servers: { cs: FIELDS },
    });
  });

  it("refuses an existing table of that name without force, and replaces it and its subtables with", () => {
    const first = mergeTable(existing, "mcp_servers", "clicksend", FIELDS, false).text;
    const withEnv = `${first}\n[mcp_servers.clicksend.env]\nX = "1"\n\n[after]\nkept = true\n`;
    expect(() => mergeTable(withEnv, "mcp_servers", "clicksend", FIELDS, false)).toThrow(
      /\[mcp_servers\.clicksend\] already exists: pass --force/,
    );
    const next = { command: "node", args: ["new"] };
    const { text, replaced } = mergeTable(withEnv, "mcp_servers", "clicksend", next, true);
    expect(replaced).toBe(true);
    const doc = parseToml(text);
    expect((doc.mcp_servers as Record<string, unknown>).clicksend).toEqual(next);
    expect(doc.after).toEqual({ kept: true });
    expect((doc.mcp_servers as Record<string, unknown>).other).toBeDefined();
  });

  it("finds a server defined by dotted keys or inline, and leaves it to the user even with force", () => {
    const forms = [
      'mcp_servers.clicksend.command = "x"\n',
      '[mcp_servers]\nclicksend = { command = "x" }\n',
      '[mcp_servers]\n"clicksend".command = "x"\n',
    ];
    for (const form of forms) {
      expect(parseToml(form)).toBeDefined();
      expect(() => mergeTable(form, "mcp_servers", "clicksend", FIELDS, false), form).toThrow(
        /already defined in the line/,
      );
      expect(() => mergeTable(form, "mcp_servers", "clicksend", FIELDS, true), form).toThrow(
        /edit or remove it by hand/,
      );
    }
    expect(() =>
      mergeTable(
        'mcp_servers = { other = { command = "x" } }\n',
        "mcp_servers",
        "cs",
        FIELDS,
        true,
      ),
    ).toThrow(TomlMergeError);
  });

  it("adds beside a server of another name defined inline in [mcp_servers]", () => {
    const text = '[mcp_servers]\nother = { command = "x" }\n';
    const doc = parseToml(mergeTable(text, "mcp_servers", "clicksend", FIELDS, false).text);
    expect(doc.mcp_servers).toEqual({ other: { command: "x" }, clicksend: FIELDS });
  });
});
