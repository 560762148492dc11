/**
 * Waiting in tests: for a condition, for a promise (a hang fails), for a sandbox gone quiet.
 *
 * None of these is a margin the machine has to beat: each waits for an event and its bound only
 * turns a hang into a failure, so it is far longer than the wait ever takes, even on a loaded
 * machine. They run on node:timers' own functions, which fake timers (see deadline.ts) leave
 * alone: a test that holds the clock still gets its bounds.
 */
import { clearTimeout, setTimeout } from "node:timers";
import type { Sandbox } from "../../sandbox/server.js";

/** How long a wait for something that is sure to happen may take before it counts as a hang. */
export const HANG_MS = 30_000;

/** A real pause: only for a test that needs time to pass, never to let something finish. */
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

/** Resolves once condition() holds, checked every few milliseconds; rejects after ms. */
export async function until(what: string, condition: () => boolean, ms = HANG_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

/**
 * Waits until the sandbox has handled every request it received (a delayed one is handled after
 * its delay even when the client gave up), except those dropped before handling.
 */
export function settled(sandbox: Sandbox, ms = HANG_MS): Promise<void> {
  return until(
    "the sandbox to handle every request it received",
    () => !sandbox.requests.some((r) => r.status === undefined && r.fault !== "drop"),
    ms,
  );
}
