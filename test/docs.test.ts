/**
 * The docs a newcomer and a contributor read: README.md, CONTRIBUTING.md, CHANGELOG.md and docs/.
 * Their generated tables match the registry, every relative link reaches a file (and heading) that
 * exists, and their commands work on a fresh clone as written: every `npm run` script exists,
 * every `node dist/cli.js setup` line runs (against a temporary HOME), and the sandbox HTTP
 * example calls a tool the server has.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { updateReadme, updateToolsDoc } from "../scripts/tool-table.js";
import { catalogue } from "../tools/index.js";
import { runCli } from "./support/stdio.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
/** Every Markdown file checked, by path from the root. */
const FILES = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...DOCS];
const text = new Map(FILES.map((path) => [path, read(path)]));
const readme = text.get("README.md") as string;
const scripts = Object.keys(JSON.parse(read("package.json")).scripts);

/** The lines of every sh block, comments dropped. */
const shell = [...text.values()]
  .flatMap((doc) => [...doc.matchAll(/```sh\n([\s\S]*?)```/g)])
  .flatMap((m) => (m[1] ?? "").split("\n"))
  .map((line) => line.replace(/\s+#.*$/, "").trim())
  .filter(Boolean);

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

/** The anchors of a Markdown file's headings, numbered as GitHub numbers repeats. */
function anchors(doc: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of withoutCode(doc).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading ?? "");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** The text outside fenced code blocks, with inline code kept only as its words. */
const withoutCode = (doc: string) => doc.replace(/^ *```[\s\S]*?^ *```/gm, "");

/** Relative link targets of a Markdown file (links and images), external ones left out. */
const links = (doc: string) =>
  [...withoutCode(doc).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target));

describe("generated tables", () => {
  it("README's toolset table matches the registry (run npm run docs to update)", () => {
    expect(updateReadme(readme, catalogue)).toBe(readme);
  });

  it("docs/tools.md's toolset and tool tables match the registry (npm run docs)", () => {
    const doc = text.get("docs/tools.md") as string;
    expect(updateToolsDoc(doc, catalogue)).toBe(doc);
    for (const tool of catalogue.tools) expect(doc).toContain(`| \`${tool.name}\` |`);
  });
});

describe("links", () => {
  it.each(FILES)("in %s reach files and headings that exist", (path) => {
    const doc = text.get(path) as string;
    const broken: string[] = [];
    for (const target of links(doc)) {
      const [file = "", anchor] = target.split("#");
      const resolved = file === "" ? path : relative(ROOT, join(ROOT, dirname(path), file));
      if (!existsSync(join(ROOT, resolved))) {
        broken.push(`${target}: no ${resolved}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(join(ROOT, resolved)).isDirectory() || !resolved.endsWith(".md")) {
        broken.push(`${target}: an anchor into ${resolved}, not a Markdown file`);
      } else if (!anchors(text.get(resolved) ?? read(resolved)).has(anchor)) {
        broken.push(`${target}: ${resolved} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("can tell a broken link from a good one", () => {
    expect(anchors("# A: `b`, c\n## Once published: `npx`\n## A: b, c")).toEqual(
      new Set(["a-b-c", "once-published-npx", "a-b-c-1"]),
    );
    expect(links("[a](x.md#y) ![b](images/c.png) [c](https://e.com) `[d](no.md)`")).toEqual([
      "x.md#y",
      "images/c.png",
      "no.md",
    ]);
    expect(links("```sh\n[e](f.md)\n```\n")).toEqual([]);
  });

  it("reach every page of docs/ from its index", () => {
    const index = links(text.get("docs/README.md") as string).map((t) => t.split("#")[0]);
    const pages = DOCS.filter((p) => p !== "docs/README.md").map((p) => p.slice("docs/".length));
    expect(pages.filter((page) => !index.includes(page))).toEqual([]);
  });
});

describe("the README", () => {
  it("is short enough to read in five minutes", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
  });

  it("starts with Quick start's two commands, then prompts, a host, the toolsets", () => {
    const quick = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## What can"));
    expect(quick).toContain("```sh\nnpm install\nnpm run demo\n```");
    const order = [
      "## Quick start",
      "## What can I ask the agent?",
      "## Connect a host",
      "## Toolsets",
      "## Safety",
      "## Configuration",
      "## Development",
    ];
    const at = order.map((heading) => readme.indexOf(`\n${heading}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(readme).toContain("--toolsets default,mms");
    expect(readme).toContain("](docs/images/send-card.png)");
  });
});

describe("commands", () => {
  it("run only npm scripts that exist", () => {
    const used = [...text.values()].flatMap((doc) =>
      [...doc.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1] as string),
    );
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("setup lines run as written", async () => {
    const setups = shell.filter((line) => line.startsWith("node dist/cli.js setup"));
    expect(setups.length).toBeGreaterThanOrEqual(5);
    for (const line of setups) {
      // Each example on its own: a fresh HOME, as on a new machine.
      const home = mkdtempSync(join(tmpdir(), "clicksend-mcp-docs-"));
      homes.push(home);
      const result = await runCli(line.split(/\s+/).slice(2), { HOME: home });
      expect(result.status, `${line}\n${result.stderr}`).toBe(0);
    }
  });

  it("the sandbox HTTP example posts a valid JSON-RPC call to a tool the server has", () => {
    const curl = shell.find((line) => line.startsWith("curl ") && line.includes("/mcp"));
    const body = /-d '([^']+)'/.exec(curl ?? "")?.[1] ?? "";
    const request = JSON.parse(body) as {
      jsonrpc: string;
      method: string;
      params: { name: string };
    };
    expect(request).toMatchObject({ jsonrpc: "2.0", method: "tools/call" });
    expect(catalogue.tools.map((tool) => tool.name)).toContain(request.params.name);
    expect(shell).toContain("node dist/cli.js --sandbox --http --port 8787");
    expect(curl).toContain("http://127.0.0.1:8787/mcp");
  });

  it("pin the MCP Inspector at a version that works on Node.js 20", () => {
    const inspector = shell.filter((line) => line.includes("@modelcontextprotocol/inspector"));
    expect(inspector.length).toBeGreaterThan(0);
    for (const line of inspector) expect(line).toContain("@modelcontextprotocol/inspector@2.12.0");
  });
});
