/**
 * The host entries users copy: mcp.json and the JSON blocks of README.md and docs/ parse, start
 * the package's bin, keep credentials out of args, and use each host's own shape.
 */
import { readdirSync, readFileSync } from "node:fs";
import { LATEST_MANIFEST_VERSION } from "@anthropic-ai/mcpb";
import { describe, expect, it } from "vitest";
import { drawIcon } from "../scripts/icon.js";
import { type Manifest, withCatalogue } from "../scripts/manifest-parts.js";
import { NAME } from "../src/version.js";
import { catalogue } from "../tools/index.js";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
const BIN: string = JSON.parse(read("package.json")).bin[NAME];

interface Entry {
  type?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

/** Secrets and secret-bearing variables: never on a command line. */
const SECRET = /CLICKSEND_(API_KEY|BEARER_TOKEN|MCP_HTTP_TOKEN)|your-api-key|Bearer/;

function entriesOf(config: {
  mcpServers?: Record<string, Entry>;
  servers?: Record<string, Entry>;
}) {
  return Object.entries(config.mcpServers ?? config.servers ?? {});
}

describe("mcp.json", () => {
  const config = JSON.parse(read("mcp.json"));
  const entries = new Map<string, Entry>(entriesOf(config));

  it("starts the package's bin, live and in the sandbox, with credentials from the environment", () => {
    expect(entries.get("clicksend")).toMatchObject({ command: "node", args: [BIN] });
    expect(entries.get("clicksend-sandbox")).toMatchObject({ args: [BIN, "--sandbox"] });
    for (const value of Object.values(entries.get("clicksend")?.env ?? {})) {
      expect(value).toMatch(/^\$\{CLICKSEND_[A-Z_]+(:-)?\}$/);
    }
  });

  it("reaches the HTTP transport at /mcp on loopback with the token from the environment", () => {
    const http = entries.get("clicksend-http");
    expect(http?.type).toBe("http");
    expect(new URL(http?.url ?? "").pathname).toBe("/mcp");
    expect(new URL(http?.url ?? "").hostname).toBe("127.0.0.1");
    expect(http?.headers?.Authorization).toMatch(/^Bearer \$\{CLICKSEND_MCP_HTTP_TOKEN(:-)?\}$/);
  });

  it("puts no credential on a command line", () => {
    for (const [name, entry] of entries) {
      expect((entry.args ?? []).join(" "), name).not.toMatch(SECRET);
    }
  });
});

describe("host entries in README.md and docs/", () => {
  const docs = readdirSync(new URL("../docs/", import.meta.url)).filter((f) => f.endsWith(".md"));
  const text = [read("README.md"), ...docs.map((f) => read(`docs/${f}`))].join("\n");
  const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

  it("are valid JSON, keep credentials out of args, and start clicksend-mcp", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      const config = JSON.parse(block);
      for (const [name, entry] of entriesOf(config)) {
        expect((entry.args ?? []).join(" "), name).not.toMatch(SECRET);
        if (entry.command) expect(`${entry.command} ${entry.args?.join(" ")}`).toContain(NAME);
      }
    }
  });

  it("give VS Code its servers key with a stdio and an http entry", () => {
    const vscode = blocks.map((block) => JSON.parse(block)).find((config) => config.servers);
    const types = Object.values(vscode?.servers ?? {}).map((entry) => (entry as Entry).type);
    expect(types).toEqual(expect.arrayContaining(["stdio", "http"]));
  });
});

describe("manifest.json", () => {
  it("lists the registry's tools and toolsets (run npm run manifest to update)", () => {
    const manifest = JSON.parse(read("manifest.json")) as Manifest;
    expect(withCatalogue(manifest, catalogue)).toEqual(manifest);
    expect(manifest.tools?.map((tool) => tool.name)).toEqual(catalogue.tools.map((t) => t.name));
  });

  it("is at the newest manifest version mcpb knows, with our icon and the package's Node range", () => {
    const manifest = JSON.parse(read("manifest.json")) as Manifest;
    expect(manifest.manifest_version).toBe(LATEST_MANIFEST_VERSION);
    expect(manifest.$schema).toContain(`mcpb-manifest-v${LATEST_MANIFEST_VERSION}.schema.json`);
    expect(manifest.icon).toBe("icon.png");
    // icon.png is what scripts/icon.ts draws (npm run icon), a 512 x 512 PNG.
    const icon = readFileSync(new URL("../icon.png", import.meta.url));
    expect(icon.equals(drawIcon())).toBe(true);
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([512, 512]);
    // The privacy policy is docs/privacy.md, at the repository's address.
    const repository = (manifest.repository as { url: string }).url;
    expect(manifest.privacy_policies).toEqual([`${repository}/blob/main/docs/privacy.md`]);
    expect(read("docs/privacy.md")).toMatch(/^# Privacy$/m);
    const engines = JSON.parse(read("package.json")).engines.node as string;
    expect(manifest.compatibility).toEqual({
      platforms: ["darwin", "win32", "linux"],
      runtimes: { node: `${engines}.0` },
    });
  });
});
