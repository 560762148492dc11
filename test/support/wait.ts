/** Waiting in tests: a pause, a bound on a promise (a hang fails), a sandbox gone quiet. */
import type { Sandbox } from "../../sandbox/server.js";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects when the promise takes longer than ms: a hang is a failure, not a stuck test. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until the sandbox has handled every request it received (a delayed one is handled after
 * its delay even when the client gave up), except those dropped before handling.
 */
export async function settled(sandbox: Sandbox, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  const open = () => sandbox.requests.some((r) => r.status === undefined && r.fault !== "drop");
  while (open() && Date.now() < deadline) await sleep(20);
}
