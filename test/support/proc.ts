/** A process as Linux shows it in /proc: CPU used so far, and whether it is still running. */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

interface ProcStat {
  state: string;
  cpuS: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      state: fields[0] ?? "?",
      cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
    };
  } catch {
    return undefined;
  }
}

/** Running (or sleeping): neither gone nor a zombie nobody has reaped. */
export const isAlive = (pid: number): boolean => {
  const state = stat(pid)?.state;
  return state !== undefined && state !== "Z" && state !== "X";
};

/** CPU seconds (user + system) the process has used; its last value once it has exited. */
export const cpuSeconds = (pid: number): number | undefined => stat(pid)?.cpuS;

/**
 * Waits for pid to exit, polling every 10 ms (a process that is not our child cannot be awaited),
 * and returns how long that took and the CPU it used meanwhile (up to its last poll alive).
 */
export async function watchExit(
  pid: number,
  giveUpMs: number,
): Promise<{ exited: boolean; ms: number; cpuS: number }> {
  const start = performance.now();
  const cpuAtStart = cpuSeconds(pid) ?? 0;
  let cpuLast = cpuAtStart;
  while (performance.now() - start < giveUpMs) {
    const now = stat(pid);
    if (now) cpuLast = now.cpuS;
    if (!now || now.state === "Z" || now.state === "X") {
      return { exited: true, ms: performance.now() - start, cpuS: cpuLast - cpuAtStart };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { exited: false, ms: performance.now() - start, cpuS: cpuLast - cpuAtStart };
}

/**
 * Waits until pid has used no CPU for three polls in a row (its start-up's tail, a lazy import,
 * a warm-up, done), for at most giveUpMs: what is measured next is then its own doing.
 */
export async function quiescent(pid: number, giveUpMs = 10_000): Promise<void> {
  const start = performance.now();
  let last = cpuSeconds(pid);
  let still = 0;
  while (still < 3 && performance.now() - start < giveUpMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = cpuSeconds(pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
}
