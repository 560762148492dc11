/**
 * npm run release: the one step that writes the bundle's SHA-256 into server.json. It builds
 * clicksend-mcp.mcpb from a clean build (scripts/mcpb.ts, passing on --cert/--key to sign it),
 * writes the bundle's hash into server.json's mcpb package, checks the file now holds exactly the
 * hash of the bundle on disk, and prints what is left to do by hand: commit, tag, publish. It
 * refuses when CHANGELOG.md has no section for the package's version.
 *
 *   npm run release [-- --cert cert.pem --key key.pem]
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Of } from "./server-json.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

const pkg = JSON.parse(read("package.json")) as { name: string; version: string };
const version = pkg.version;
const tag = `v${version}`;
if (!new RegExp(`^## \\[${version.replace(/\./g, "\\.")}\\]`, "m").test(read("CHANGELOG.md"))) {
  console.error(`CHANGELOG.md has no "## [${version}]" section: move Unreleased there first.`);
  process.exit(1);
}

const bundle = join(ROOT, `${pkg.name}.mcpb`);
const serverJson = join(ROOT, "server.json");
execFileSync(
  process.execPath,
  [
    join(ROOT, "dist", "scripts", "mcpb.js"),
    ...["--out", bundle, "--server-json", serverJson],
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);

const sha256 = sha256Of(bundle);
const recorded = (
  JSON.parse(read("server.json")) as {
    packages: Array<{ registryType: string; fileSha256?: string }>;
  }
).packages.find((p) => p.registryType === "mcpb")?.fileSha256;
if (recorded !== sha256) {
  console.error(`server.json records ${recorded}, but ${bundle} is ${sha256}`);
  process.exit(1);
}

console.log(`
Release ${version}: server.json records the bundle's SHA-256 ${sha256}.
Left to do:
  git add server.json CHANGELOG.md && git commit -m "Release ${version}"
  git tag -a ${tag} -m "${pkg.name} ${version}"
  git push origin ${tag}
  attach ${pkg.name}.mcpb to the GitHub release ${tag} (server.json points there), npm publish`);
