/** Finding the processes a test run started that are still alive, by the marker they inherit. */
import { readdirSync, readFileSync } from "node:fs";
import { isAlive } from "./proc.js";

/** The environment variable that marks every process a test run starts. */
export const RUN_MARKER = "CLICKSEND_MCP_TEST_RUN";

const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

const parentOf = (pid: number) => Number(/^PPid:\s+(\d+)/m.exec(read(`/proc/${pid}/status`))?.[1]);

/**
 * Live processes with this run's marker, other than vitest's own and the children of this
 * process (esbuild's service, which ends with it).
 */
export function survivorsOf(run: string): Array<{ pid: number; command: string }> {
  const marker = `${RUN_MARKER}=${run}`;
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid) && parentOf(pid) !== process.pid)
    .filter((pid) => read(`/proc/${pid}/environ`).split("\0").includes(marker))
    .map((pid) => ({ pid, command: read(`/proc/${pid}/cmdline`).split("\0").join(" ").trim() }))
    .filter(({ command }) => !command.includes("vitest"));
}
