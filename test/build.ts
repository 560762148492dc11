/**
 * Builds the server once for the tests that spawn it (tsc -p tsconfig.build.json), into a
 * private output directory so test runs never race `npm run build` or each other over dist/.
 * Test files run in parallel workers, so a lock directory serialises the build and a stamp
 * file lets later callers reuse a build that is newer than every source file.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Inside the project so the build resolves the project's node_modules. */
export const BUILD_DIR = join(ROOT, "node_modules", ".cache", "clicksend-mcp-test-build");
export const CLI = join(BUILD_DIR, "src", "cli.js");

const STAMP = join(BUILD_DIR, ".built");
const LOCK = `${BUILD_DIR}.lock`;
const SOURCES = ["src", "tools", "scripts", "tsconfig.json", "tsconfig.build.json", "package.json"];

function newestSourceMtime(): number {
  let newest = 0;
  const visit = (path: string) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    // A directory's mtime changes when a file is added or removed.
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    }
  };
  for (const source of SOURCES) visit(join(ROOT, source));
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(STAMP).mtimeMs >= newestSourceMtime();
  } catch {
    return false;
  }
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK, { recursive: false });
    return true;
  } catch {
    // A lock left by a killed run is taken over after two minutes.
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true });
    } catch {}
    return false;
  }
}

/** Returns the path of the built cli.js, building it first if any source changed. */
export async function ensureBuilt(): Promise<string> {
  mkdirSync(join(ROOT, "node_modules", ".cache"), { recursive: true });
  const deadline = Date.now() + 90_000;
  while (!isFresh()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the test build");
    if (!tryLock()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      if (isFresh()) break;
      const started = new Date();
      const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
      await promisify(execFile)(
        process.execPath,
        [
          tsc,
          "-p",
          "tsconfig.build.json",
          "--outDir",
          BUILD_DIR,
          // Incremental: a rebuild after a small edit takes a few seconds, not a full compile.
          "--incremental",
          "--tsBuildInfoFile",
          join(BUILD_DIR, ".tsbuildinfo"),
        ],
        { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 },
      ).catch((error: { stdout?: string }) => {
        throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout ?? String(error)}`);
      });
      // Outside the project's package scope (node_modules stops the lookup), so say ESM here.
      writeFileSync(join(BUILD_DIR, "package.json"), '{ "type": "module" }\n');
      writeFileSync(STAMP, "");
      // Stamped with the start time: a source edited during the build triggers a rebuild.
      utimesSync(STAMP, started, started);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  return CLI;
}
