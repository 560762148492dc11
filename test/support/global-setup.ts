/**
 * Builds the server once, before any test file starts, for every test that spawns it; and at the
 * end fails the run if any process a test started is still alive (an orphaned server, a
 * redis-server, a browser). Every such process carries this run's marker in its environment:
 * workers inherit it, and cleanEnv() passes it on to the servers tests start.
 */
import { randomUUID } from "node:crypto";
import { ensureBuilt } from "./build.js";
import { RUN_MARKER, survivorsOf } from "./survivors.js";
import { sleep } from "./wait.js";

/**
 * How long a process may take to end after the suite, before it counts as having outlived it:
 * one whose parent just ended (a worker's esbuild service, a server whose host exited) may need
 * a moment on a loaded machine. A process left running for good is still there after it.
 */
const EXIT_GRACE_MS = 15_000;

export default async function setup(): Promise<() => Promise<void>> {
  const run = randomUUID();
  process.env[RUN_MARKER] = run;
  await ensureBuilt();
  return async () => {
    const deadline = Date.now() + EXIT_GRACE_MS;
    let left = survivorsOf(run);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(100);
      left = survivorsOf(run);
    }
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: the exit code is set by hand.
      process.exitCode = 1;
      throw new Error(
        `${left.length} process(es) started by tests outlived the suite (now killed): ${left
          .map(({ pid, command }) => `${pid} ${command}`)
          .join("; ")}`,
      );
    }
  };
}
