/**
 * What users install: the npm tarball (npm pack, installed into an empty folder and started from
 * node_modules/.bin, the `npx -y clicksend-mcp` path) and the Claude Desktop bundle built from
 * it (npm run bundle: validated by mcpb, unpacked, and started the way Claude Desktop starts it).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join, sep } from "node:path";
import { promisify } from "node:util";
import {
  extractSignatureBlock,
  getMcpConfigForManifest,
  type McpbManifestAny,
} from "@anthropic-ai/mcpb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerOptions, selectTools } from "../src/protocol/server.js";
import { NAME, VERSION } from "../src/version.js";
import { defaultToolsets, tools as registry } from "../tools/index.js";
import { cleanEnv, ROOT } from "./support/build.js";
import { StdioServer } from "./support/stdio.js";

const run = promisify(execFile);
const MCPB = join(ROOT, "node_modules", "@anthropic-ai", "mcpb", "dist", "cli", "cli.js");
const NPM_CLI = process.env.npm_execpath;
/** How a manifest refers to a user_config entry. */
const placeholder = (key: string) => `\${user_config.${key}}`;
const PKG: {
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
} = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
/** The bin's path inside the package, e.g. dist/cli.js. */
const BIN = PKG.bin[NAME] as string;

/** npm: the one running the tests if any, else the one on PATH. */
function npm(args: string[], cwd: string) {
  const viaNode = NPM_CLI !== undefined && /npm-cli\.c?js$/.test(NPM_CLI);
  return run(viaNode ? process.execPath : "npm", viaNode ? [NPM_CLI, ...args] : args, {
    cwd,
    maxBuffer: 20 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

/** The server's name and tool names, asked over stdio as a host asks. */
async function listTools(command: string, args: string[], env: Record<string, string>) {
  const server = StdioServer.spawn(command, args, env);
  const client = await server.connect();
  try {
    const { tools } = await client.listTools();
    return { server: client.getServerVersion(), tools: tools.map((t) => t.name) };
  } finally {
    await client.close();
  }
}

/** The registry's tool names under the operator's filters; the default toolsets unless named. */
const expectedTools = (options: ServerOptions = {}) =>
  selectTools(registry, { toolsets: defaultToolsets, ...options }).map((tool) => tool.name);

let work: string;
let tarball: string;
let packed: string[];

beforeAll(async () => {
  // npm test has just built dist/; prepack (clean + build) would only build it again.
  if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build first`);
  work = mkdtempSync(join(tmpdir(), "clicksend-mcp-package-"));
  const { stdout } = await npm(
    ["pack", "--ignore-scripts", "--json", "--pack-destination", work],
    ROOT,
  );
  const [result] = JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (!result) throw new Error(`npm pack printed no result:\n${stdout}`);
  tarball = join(work, result.filename);
  packed = result.files.map((file) => file.path);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  let app: string;

  beforeAll(async () => {
    app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true }\n');
    await npm(["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);
  }, 180_000);

  it("holds only what runs: the built server and catalogue, package.json and README", () => {
    const outside = packed.filter(
      (path) =>
        !(path.startsWith("dist/") && !/^dist\/(scripts|test)\//.test(path)) &&
        !["package.json", "README.md", "LICENSE"].includes(path),
    );
    expect(outside).toEqual([]);
    expect(packed).toContain(BIN);
    expect(packed.filter((path) => /\.ts$|(^|\/)test/.test(path))).toEqual([]);
  });

  it("installs into an empty folder and answers initialize and tools/list from node_modules/.bin", async () => {
    const bin = join(
      app,
      "node_modules",
      ".bin",
      process.platform === "win32" ? `${NAME}.cmd` : NAME,
    );
    const { server, tools } = await listTools(bin, ["--sandbox"], cleanEnv());
    expect(server).toMatchObject({ name: NAME, version: VERSION });
    expect(tools).toEqual(expectedTools());
  });
});

describe("the Claude Desktop bundle", () => {
  let bundle: string;
  let unpacked: string;
  let manifest: McpbManifestAny;
  let serverJson: string;

  beforeAll(async () => {
    bundle = join(work, `${NAME}.mcpb`);
    // A self-signed certificate, as a publisher's would be signed by a CA.
    const [cert, key] = [join(work, "cert.pem"), join(work, "key.pem")];
    await run("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
      ...["-keyout", key, "-out", cert, "-subj", "/CN=clicksend-mcp test/O=clicksend-mcp"],
    ]);
    serverJson = join(work, "server.json");
    copyFileSync(join(ROOT, "server.json"), serverJson);
    // What npm run bundle runs after its clean build, reusing the tarball packed above.
    const build = (out: string, options: string[]) =>
      run(
        process.execPath,
        [join(ROOT, "dist", "scripts", "mcpb.js"), "--tarball", tarball, "--out", out, ...options],
        { cwd: ROOT, maxBuffer: 20 * 1024 * 1024 },
      );
    await build(bundle, ["--server-json", serverJson, "--cert", cert, "--key", key]);
    // Again, unsigned, to compare: the same package must give the same bundle.
    copyFileSync(join(ROOT, "server.json"), join(work, "server-unsigned.json"));
    await build(join(work, "unsigned.mcpb"), ["--server-json", join(work, "server-unsigned.json")]);
    unpacked = join(work, "unpacked");
    await run(process.execPath, [MCPB, "unpack", bundle, unpacked]);
    manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8"));
  }, 180_000);

  it("is signed by the certificate given, and server.json records its SHA-256", async () => {
    // mcpb verify trusts only the OS store (on Linux, a self-signed certificate reads "unsigned"),
    // so the signature is checked by openssl against the test's certificate as the trust anchor.
    const signed = extractSignatureBlock(readFileSync(bundle));
    expect(signed.pkcs7Signature).toBeDefined();
    writeFileSync(join(work, "content"), signed.originalContent);
    writeFileSync(join(work, "signature.der"), signed.pkcs7Signature as Buffer);
    const { stderr } = await run("openssl", [
      ...["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-out", devNull],
      ...["-in", join(work, "signature.der"), "-content", join(work, "content")],
      ...["-CAfile", join(work, "cert.pem")],
    ]);
    expect(stderr).toContain("Verification successful");
    // Built twice from one package, the bundles are the same bytes (the signature aside).
    expect(signed.originalContent.equals(readFileSync(join(work, "unsigned.mcpb")))).toBe(true);
    const sha256 = createHash("sha256").update(readFileSync(bundle)).digest("hex");
    const mcpb = JSON.parse(readFileSync(serverJson, "utf8")).packages.find(
      (p: { registryType: string }) => p.registryType === "mcpb",
    );
    expect(mcpb.fileSha256).toBe(sha256);
    // Only the hash changed: the file keeps its formatting.
    const committed = readFileSync(join(ROOT, "server.json"), "utf8");
    expect(readFileSync(serverJson, "utf8").replace(sha256, "")).toBe(
      committed.replace(/[0-9a-f]{64}/, ""),
    );
  });

  it("passes mcpb validate, the committed manifest and the bundled one", async () => {
    for (const path of [join(ROOT, "manifest.json"), join(unpacked, "manifest.json")]) {
      const { stdout } = await run(process.execPath, [MCPB, "validate", path]);
      expect(stdout, path).toContain("Manifest schema validation passes!");
    }
  });

  it("asks for the credentials, the API key as a secret, and offers the guards and the sandbox", () => {
    const config = manifest.user_config ?? {};
    expect(config.api_key).toMatchObject({ type: "string", sensitive: true });
    expect(config.username?.type).toBe("string");
    expect(config.sandbox?.type).toBe("boolean");
    const env = manifest.server.mcp_config.env ?? {};
    expect(env).toEqual({
      CLICKSEND_USERNAME: placeholder("username"),
      CLICKSEND_API_KEY: placeholder("api_key"),
      CLICKSEND_SANDBOX: placeholder("sandbox"),
      CLICKSEND_READ_ONLY: placeholder("read_only"),
      CLICKSEND_TOOLSETS: placeholder("toolsets"),
      CLICKSEND_ALLOWED_RECIPIENTS: placeholder("allowed_recipients"),
      CLICKSEND_MAX_RECIPIENTS_PER_CALL: placeholder("max_recipients_per_call"),
      CLICKSEND_DAILY_MESSAGE_LIMIT: placeholder("daily_message_limit"),
      CLICKSEND_SKIP_OPTED_OUT: placeholder("skip_opted_out"),
      CLICKSEND_DAILY_SPEND_LIMIT: placeholder("daily_spend_limit"),
      CLICKSEND_REQUIRE_CONFIRMATION: placeholder("require_confirmation"),
      CLICKSEND_QUIET_HOURS: placeholder("quiet_hours"),
      CLICKSEND_QUIET_HOURS_ACTION: placeholder("quiet_hours_action"),
    });
    // Every placeholder names a user_config entry; no credential is on the command line.
    for (const value of Object.values(env)) {
      expect(Object.keys(config)).toContain(/^\$\{user_config\.(.+)\}$/.exec(value)?.[1]);
    }
    // The bundle starts the same file as the npm bin.
    expect(manifest.server.entry_point).toBe(BIN);
    expect(manifest.server.mcp_config.args).toEqual([`\${__dirname}/${BIN}`]);
    expect(manifest.version).toBe(VERSION);
    expect(manifest.tools?.map((t) => t.name)).toEqual(registry.map((tool) => tool.name));
  });

  it("holds the built server and its production dependencies only", () => {
    expect(existsSync(join(unpacked, BIN))).toBe(true);
    expect(readFileSync(join(unpacked, "icon.png"))).toEqual(readFileSync(join(ROOT, "icon.png")));
    for (const dependency of Object.keys(PKG.dependencies ?? {})) {
      expect(existsSync(join(unpacked, "node_modules", dependency)), dependency).toBe(true);
    }
    for (const dev of Object.keys(PKG.devDependencies ?? {})) {
      expect(existsSync(join(unpacked, "node_modules", dev)), dev).toBe(false);
    }
    expect(existsSync(join(unpacked, "test"))).toBe(false);
    expect(existsSync(join(unpacked, "src"))).toBe(false);
  });

  it("starts as Claude Desktop starts it, and answers tools/list under the guards chosen", async () => {
    const start = async (userConfig: Record<string, string | number | boolean>) => {
      // Claude Desktop's own substitution: an unfilled optional field stays "${user_config.x}".
      const config = await getMcpConfigForManifest({
        manifest,
        extensionPath: unpacked,
        systemDirs: { HOME: work, DESKTOP: work, DOCUMENTS: work, DOWNLOADS: work },
        userConfig,
        pathSeparator: sep,
      });
      if (!config) throw new Error("no MCP config for the manifest");
      expect(config.command).toBe("node");
      return listTools(process.execPath, config.args ?? [], cleanEnv(config.env ?? {}));
    };

    const sandbox = await start({ sandbox: true });
    expect(sandbox.server?.name).toBe(NAME);
    expect(sandbox.tools).toEqual(expectedTools());

    const guarded = await start({ sandbox: true, read_only: true, toolsets: "account,sms" });
    const chosen = expectedTools({ readOnly: true, toolsets: ["account", "sms"] });
    // The guards really leave tools out, and keep some in.
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.length).toBeLessThan(registry.length);
    expect(guarded.tools).toEqual(chosen);
  });
});
