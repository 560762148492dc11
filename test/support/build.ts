/**
 * Builds the server once for the tests that spawn it: the shipped bundle (scripts/build-bin.ts,
 * the same esbuild output `bin` points at), into a private output directory so test runs never
 * race `npm run build` or each other over dist/.
 * Test files run in parallel workers, so a lock directory serialises the build and a stamp
 * file lets later callers reuse a build that is newer than every source file.
 */
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "../../scripts/build-bin.js";
import { RUN_MARKER } from "./survivors.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * Inside the project so the build resolves the project's node_modules; named after the checkout,
 * so two checkouts that share one node_modules (git worktrees) never run each other's build.
 */
const BUILD_DIR = join(
  ROOT,
  "node_modules",
  ".cache",
  `clicksend-mcp-test-build-${createHash("sha256").update(ROOT).digest("hex").slice(0, 8)}`,
);
const CLI = join(BUILD_DIR, "cli.js");

const STAMP = join(BUILD_DIR, ".built");
const LOCK = `${BUILD_DIR}.lock`;
const STAGING = `${BUILD_DIR}.staging`;
/** Everything the bundle is built from: the embedded sandbox is a chunk of it. */
const SOURCES = [
  "src",
  "tools",
  "sandbox",
  "scripts",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
];

/**
 * A minimal environment: nothing from the developer's shell (no real CLICKSEND_* values), and
 * send state in a directory of its own, never the developer's nor another test's (servers meant
 * to share state are given one environment, or one CLICKSEND_STATE_DIR).
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const run = process.env[RUN_MARKER];
  return {
    PATH: process.env.PATH ?? "",
    // So the suite can tell, at its end, whether any server a test started outlived it.
    ...(run ? { [RUN_MARKER]: run } : {}),
    XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "clicksend-mcp-state-")),
    ...extra,
  };
}

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

/**
 * Moves a build from STAGING into BUILD_DIR without a moment where a test could start a half
 * written bundle: the content-named chunks first (earlier ones stay, for servers still running
 * from an earlier build), then cli.js, renamed over the old one in one step.
 */
function publish(): void {
  mkdirSync(join(BUILD_DIR, "chunks"), { recursive: true });
  // Outside the project's package scope (node_modules stops the lookup), so say ESM here.
  writeFileSync(join(BUILD_DIR, "package.json"), '{ "type": "module" }\n');
  for (const chunk of readdirSync(join(STAGING, "chunks"))) {
    renameSync(join(STAGING, "chunks", chunk), join(BUILD_DIR, "chunks", chunk));
  }
  renameSync(join(STAGING, "cli.js"), CLI);
  rmSync(STAGING, { recursive: true, force: true });
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
      rmSync(STAGING, { recursive: true, force: true });
      await bundle({ root: ROOT, outdir: STAGING });
      publish();
      writeFileSync(STAMP, "");
      // Stamped with the start time: a source edited during the build triggers a rebuild.
      utimesSync(STAMP, started, started);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  return CLI;
}
