/**
 * README.md for a newcomer: its generated tables match the registry, and its commands work on a
 * fresh clone as written: every `npm run` script exists, every `node dist/cli.js setup` line runs
 * (against a temporary HOME), and the sandbox HTTP example calls a tool the server has.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { updateReadme } from "../scripts/tool-table.js";
import { catalogue } from "../tools/index.js";
import { runCli } from "./support/stdio.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const scripts = Object.keys(
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).scripts,
);
/** The lines of README's sh blocks, comments dropped. */
const shell = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => (m[1] ?? "").split("\n"))
  .map((line) => line.replace(/\s+#.*$/, "").trim())
  .filter(Boolean);

const home = mkdtempSync(join(tmpdir(), "clicksend-mcp-readme-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it("README's toolset and tool tables match the registry (run npm run readme to update)", () => {
  expect(updateReadme(readme, catalogue)).toBe(readme);
});

describe("README's commands", () => {
  it("run only npm scripts that exist", () => {
    const used = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("start with Quick start's two commands, then connect a host with setup from the clone", () => {
    const quick = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Connect"));
    expect(quick).toContain("```sh\nnpm install\nnpm run demo\n```");
    const order = [
      "## Quick start",
      "## Connect your host",
      "### Once published",
      "### Claude Desktop: the bundle",
    ];
    const at = order.map((heading) => readme.indexOf(heading));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("setup lines run as written", async () => {
    const setups = shell.filter((line) => line.startsWith("node dist/cli.js setup"));
    expect(setups.length).toBeGreaterThanOrEqual(3);
    for (const line of setups) {
      const args = line.split(/\s+/).slice(2);
      const result = await runCli(args, { HOME: home });
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
