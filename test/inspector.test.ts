/**
 * MCP Inspector 2.12.0's CLI against the built server over Streamable HTTP and the static bearer
 * token: the commands docs/troubleshooting.md shows, run as written (the local devDependency in
 * place of `npx -y`, the bound URL in place of port 8787). The Inspector keeps its catalog and
 * OAuth store under HOME, so each run gets a temporary one, never the user's.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT } from "./support/build.js";
import { type HttpServer, startHttpServer } from "./support/http.js";

const TOKEN = "inspector-token-0123456789abcdef";
const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector");
const LAUNCHER = join(INSPECTOR, "clients/launcher/build/index.js");
const PINNED = "npx -y @modelcontextprotocol/inspector@2.12.0";
const DOC_URL = "http://127.0.0.1:8787/mcp";
const REFUSED = "refused an HTTP request without the right bearer token";

/** The doc's Inspector lines against an --http server, each split into its arguments. */
function documentedHttpRuns(): string[][] {
  const doc = readFileSync(join(ROOT, "docs/troubleshooting.md"), "utf8");
  return doc
    .split("\n")
    .filter((line) => line.startsWith(`${PINNED} --cli ${DOC_URL} `))
    .map((line) =>
      [...line.slice(PINNED.length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? ""),
    );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("MCP Inspector 2.12.0's CLI over the static bearer token", () => {
  let server: HttpServer;
  let home: string;
  const [listTools, callGetAccount] = documentedHttpRuns();

  /** The documented arguments with the bound URL and the token the shell would expand. */
  const asDocumented = (args: string[] | undefined) =>
    (args ?? []).map((arg) =>
      arg === DOC_URL ? server.url : arg.replace("$CLICKSEND_MCP_HTTP_TOKEN", TOKEN),
    );

  /** The same run without the Authorization header, or with `header` in its place. */
  const withoutToken = (args: string[] | undefined, header?: string) => {
    const kept = asDocumented(args);
    const at = kept.indexOf("--header");
    if (at < 0) throw new Error("the documented run has no --header");
    kept.splice(at, 2, ...(header ? ["--header", header] : []));
    return kept;
  };

  async function inspector(args: string[]): Promise<Run> {
    const env = cleanEnv({ HOME: home, MCP_CATALOG_PATH: join(home, "catalog.json") });
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [LAUNCHER, ...args], {
        env,
        timeout: 60_000,
        maxBuffer: 10 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  }

  const refusals = () => server.stderr().split(REFUSED).length - 1;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "clicksend-inspector-home-"));
    server = await startHttpServer([], { CLICKSEND_MCP_HTTP_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("is the version the docs pin, and the docs show tools/list and tools/call", () => {
    const pkg = JSON.parse(readFileSync(join(INSPECTOR, "package.json"), "utf8"));
    expect(pkg.version).toBe("2.12.0");
    expect(listTools).toContain("tools/list");
    expect(callGetAccount).toEqual(expect.arrayContaining(["tools/call", "get_account"]));
  });

  it("lists the tools", async () => {
    const run = await inspector(asDocumented(listTools));
    expect(run.code, run.stderr).toBe(0);
    const { tools } = JSON.parse(run.stdout) as { tools: Array<{ name: string }> };
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(["get_account", "send_sms"]),
    );
  });

  it("calls get_account, answered by the sandbox", async () => {
    const run = await inspector(asDocumented(callGetAccount));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      isError?: boolean;
      structuredContent: Record<string, unknown>;
    };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ sandbox: true, username: "sandbox" });
  });

  it.each([
    ["without the Authorization header", undefined],
    ["with another token", "Authorization: Bearer not-the-token-0123456789"],
  ])("fails %s, and nothing is served", async (_, header) => {
    for (const args of [listTools, callGetAccount]) {
      const before = refusals();
      const run = await inspector(withoutToken(args, header));
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("auth_required");
      expect(run.stderr).not.toContain("sandbox");
      expect(refusals()).toBeGreaterThan(before);
    }
    expect(server.stderr()).not.toContain(TOKEN);
  });
});
