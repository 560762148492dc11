/**
 * npm run bundle: builds clicksend-mcp.mcpb, the Claude Desktop bundle, from exactly what the npm
 * package holds (npm pack of the fresh build that `npm run bundle` makes first), its production
 * dependencies installed from package-lock.json (npm ci --omit=dev), and manifest.json as committed
 * (its tool list and toolsets setting made from the registry by npm run manifest) with icon.png.
 * mcpb validates the manifest as it packs; every entry gets one fixed time, so the same commit
 * gives the same bundle (scripts/zip-time.ts). With --cert and --key (PEM) the bundle is signed
 * (mcpb sign). With --server-json FILE the bundle's SHA-256 goes into that file's mcpb package
 * (fileSha256): npm run release does that for server.json; npm run bundle leaves it alone.
 *
 *   node dist/scripts/mcpb.js [--tarball clicksend-mcp-x.y.z.tgz] [--out clicksend-mcp.mcpb]
 *                             [--cert cert.pem --key key.pem] [--server-json server.json]
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { catalogue } from "../tools/index.js";
import { type Manifest, withCatalogue } from "./manifest-parts.js";
import { sha256Of, withBundleHash } from "./server-json.js";
import { fixZipTimes } from "./zip-time.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MCPB = join(ROOT, "node_modules", "@anthropic-ai", "mcpb", "dist", "cli", "cli.js");

/** npm itself: the one running this script if any, else the one on PATH. */
function npm(args: string[], cwd: string): string {
  const cli = process.env.npm_execpath;
  const [command, prefix] =
    cli && /npm-cli\.c?js$/.test(cli) ? [process.execPath, [cli]] : ["npm", []];
  return execFileSync(command, [...prefix, ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    shell: process.platform === "win32" && command === "npm",
  });
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const out = resolve(option("--out") ?? join(ROOT, "clicksend-mcp.mcpb"));
const work = mkdtempSync(join(tmpdir(), "clicksend-mcp-bundle-"));
try {
  let tarball = option("--tarball");
  if (tarball === undefined) {
    // Without prepack: npm run bundle has just made a clean build. --json names the tarball.
    const packed = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
    const [{ filename }] = JSON.parse(packed.slice(packed.indexOf("["))) as [{ filename: string }];
    tarball = join(work, filename);
  }
  execFileSync("tar", ["-xzf", resolve(tarball), "-C", work]);
  const stage = join(work, "package");
  // Production dependencies at the lockfile's exact versions.
  copyFileSync(join(ROOT, "package-lock.json"), join(stage, "package-lock.json"));
  npm(
    ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
    stage,
  );
  const pkg = JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as {
    version: string;
    bin: Record<string, string>;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as Manifest & {
    version: string;
    server: { entry_point: string; mcp_config: { args?: string[] } };
  };
  // manifest.json is committed as it ships: it must agree with the package it wraps.
  const bin = pkg.bin["clicksend-mcp"];
  const start = `\${__dirname}/${bin}`;
  const problems = [
    manifest.version !== pkg.version && `version is not ${pkg.version}`,
    manifest.server.entry_point !== bin && `server.entry_point is not the bin, ${bin}`,
    manifest.server.mcp_config.args?.[0] !== start && `server.mcp_config.args[0] is not ${start}`,
    !isDeepStrictEqual(withCatalogue(manifest, catalogue), manifest) &&
      "its tools or toolsets are not the registry's (run npm run manifest)",
  ].filter(Boolean);
  if (problems.length) {
    throw new Error(`manifest.json disagrees with the package: ${problems.join("; ")}`);
  }
  writeFileSync(join(stage, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(ROOT, "icon.png"), join(stage, "icon.png"));
  const mcpb = (args: string[]) =>
    execFileSync(process.execPath, [MCPB, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  mcpb(["pack", stage, out]);
  writeFileSync(out, fixZipTimes(readFileSync(out)));
  const cert = option("--cert");
  const key = option("--key");
  if (cert && key) mcpb(["sign", out, "--cert", cert, "--key", key]);
  else if (cert || key) throw new Error("--cert and --key go together");
  const sha256 = sha256Of(out);
  const serverJson = option("--server-json");
  if (serverJson !== undefined) {
    const file = resolve(serverJson);
    writeFileSync(file, withBundleHash(readFileSync(file, "utf8"), pkg.version, sha256));
  }
  console.log(
    `${out}: ${catalogue.tools.length} tools, version ${pkg.version}, ${
      cert ? "signed" : "unsigned"
    }, sha256 ${sha256}${serverJson ? ` (in ${serverJson})` : ""}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
