/**
 * server.json, what the MCP Registry publishes, agrees with package.json (the npm package it
 * names and the mcpName the registry checks), with the bundle, and with the configuration table
 * in docs/configuration.md: every variable listed there, and only those, with the secret ones
 * marked secret.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Of, withBundleHash } from "../scripts/server-json.js";
import { help } from "../src/config.js";
import { catalogue } from "../tools/index.js";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

interface Variable {
  name: string;
  description: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: string;
  default?: string;
}
interface Package {
  registryType: string;
  identifier: string;
  version?: string;
  fileSha256?: string;
  transport: { type: string; url?: string };
  environmentVariables?: Variable[];
}
const server = JSON.parse(read("server.json")) as {
  $schema: string;
  name: string;
  description: string;
  version: string;
  repository: { url: string; source: string };
  packages: Package[];
};
const pkg = JSON.parse(read("package.json")) as {
  name: string;
  version: string;
  description: string;
  mcpName: string;
  repository: { url: string };
};
const manifest = JSON.parse(read("manifest.json")) as { repository: { url: string } };

/** Variables whose values are credentials, or may carry one (a Redis URL's password). */
const SECRETS = [
  "CLICKSEND_API_KEY",
  "CLICKSEND_BEARER_TOKEN",
  "CLICKSEND_MCP_HTTP_TOKEN",
  "CLICKSEND_REDIS_URL",
  "CLICKSEND_WEBHOOK_SECRET",
];
/** Only the HTTP transport reads these. */
const HTTP_ONLY = [
  "CLICKSEND_MCP_HTTP_TOKEN",
  "CLICKSEND_MCP_ALLOWED_HOSTS",
  "CLICKSEND_WEBHOOK_SECRET",
  // OAuth mode and its per-person limits (docs/oauth.md).
  "CLICKSEND_MCP_OAUTH_ISSUER",
  "CLICKSEND_MCP_PUBLIC_URL",
  "CLICKSEND_MCP_OAUTH_AUDIENCE",
  "CLICKSEND_MCP_OAUTH_USERS",
  "CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS",
  "CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT",
  "CLICKSEND_PERSON_DAILY_SPEND_LIMIT",
];
/** The reply watcher pushes to a stdio host only; over HTTP the variable is ignored. */
const STDIO_ONLY = ["CLICKSEND_WATCH_REPLIES_S"];

/** The variables docs/configuration.md's table names, in its first column. */
function documentedVariables(): string[] {
  const doc = read("docs/configuration.md");
  const start = doc.indexOf("| Variable / flag |");
  const table = doc.slice(start, doc.indexOf("\n\n", start));
  expect(table.length).toBeGreaterThan(100);
  const names = table
    .split("\n")
    .map((row) => row.split("|")[1] ?? "")
    .flatMap((cell) => cell.match(/CLICKSEND_[A-Z_]+/g) ?? []);
  return [...new Set(names)].sort();
}

describe("server.json", () => {
  it("uses the registry schema of 2025-12-11 and names the package as package.json does", () => {
    expect(server.$schema).toBe(
      "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    );
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^io\.github\.[a-zA-Z0-9-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.version).toBe(pkg.version);
    expect(server.description).toBe(pkg.description);
    // The registry's limit on description.
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.repository.source).toBe("github");
    for (const url of [pkg.repository.url, manifest.repository.url]) {
      expect(url.replace(/^git\+|\.git$/g, "")).toBe(server.repository.url);
    }
    expect(server.name.split("/")[0]).toBe(
      `io.github.${new URL(server.repository.url).pathname.split("/")[1]}`,
    );
  });

  it("offers the npm package over stdio and Streamable HTTP, and the bundle with its hash", () => {
    const npm = server.packages.filter((p) => p.registryType === "npm");
    expect(npm.map((p) => p.transport.type)).toEqual(["stdio", "streamable-http"]);
    for (const p of npm) expect(p).toMatchObject({ identifier: pkg.name, version: pkg.version });
    expect(npm[1]?.transport.url).toMatch(/^http:\/\/127\.0\.0\.1:\{port\}\/mcp$/);
    const bundle = server.packages.find((p) => p.registryType === "mcpb");
    expect(bundle?.transport.type).toBe("stdio");
    expect(bundle?.identifier).toBe(
      `${server.repository.url}/releases/download/v${pkg.version}/${pkg.name}.mcpb`,
    );
    expect(bundle?.version).toBe(pkg.version);
    // The hash of the bundle of the last release, written by npm run release: well-formed here;
    // test/package.test.ts checks that the release's build writes the bundle's own hash.
    expect(bundle?.fileSha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it("gets the bundle's hash from the release script's helper, only that field changing", () => {
    const text = read("server.json");
    const hash = "0123456789abcdef".repeat(4);
    const written = withBundleHash(text, pkg.version, hash);
    expect(
      JSON.parse(written).packages.find((p: Package) => p.registryType === "mcpb"),
    ).toMatchObject({ fileSha256: hash });
    expect(written.replace(hash, "")).toBe(text.replace(/[0-9a-f]{64}/, ""));
    expect(() => withBundleHash(text, "9.9.9", hash)).toThrow(/version must be 9\.9\.9/);
    expect(() => withBundleHash(text, pkg.version, "not-a-hash")).toThrow(/SHA-256/);
    // sha256Of is the SHA-256 of the file's bytes (FIPS 180-2's "abc" example).
    const dir = mkdtempSync(join(tmpdir(), "clicksend-mcp-sha-"));
    try {
      writeFileSync(join(dir, "abc"), "abc");
      expect(sha256Of(join(dir, "abc"))).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists exactly the variables of the configuration table, secrets marked secret", () => {
    const npm = server.packages.filter((p) => p.registryType === "npm");
    const [stdio, http] = npm.map((p) => p.environmentVariables ?? []);
    const names = (vars: Variable[] = []) => vars.map((v) => v.name);
    expect([...new Set([...names(http), ...names(stdio)])].sort()).toEqual(documentedVariables());
    expect(names(stdio).filter((name) => !STDIO_ONLY.includes(name))).toEqual(
      names(http).filter((name) => !HTTP_ONLY.includes(name)),
    );
    expect(names(http).filter((name) => STDIO_ONLY.includes(name))).toEqual([]);
    const serverHelp = help(catalogue.toolsets);
    for (const variable of [...(http ?? []), ...(stdio ?? [])]) {
      expect(Boolean(variable.isSecret), variable.name).toBe(SECRETS.includes(variable.name));
      expect(variable.description.length, variable.name).toBeGreaterThan(10);
      expect(serverHelp, `--help names ${variable.name}`).toContain(variable.name);
    }
    // No secret has a default, so none can be published by mistake.
    expect((http ?? []).filter((v) => v.isSecret && v.default !== undefined)).toEqual([]);
  });
});
