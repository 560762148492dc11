/**
 * Timeouts on cue. While the clock is held, setTimeout and clearTimeout are fake: no client
 * deadline, retry wait or sandbox delay ends until the test moves the clock. So a test waits for
 * the event that puts a request where the deadline is to find it (the request reached the
 * sandbox; its headers reached the client), then moves the clock past the deadline: on a loaded
 * machine nothing times out but what the test timed out, and nothing is waited for in real time.
 *
 * Only the process's global timers are held: node's own (sockets, HTTP) run as ever, and so do
 * the bounds in wait.ts. Hold the clock only around calls that need no real timer to finish (a
 * GET retried after a 503 waits on setTimeout, which would then wait for the test).
 */
import { onTestFinished, vi } from "vitest";
import type { Sandbox } from "../../sandbox/server.js";
import type { Logger } from "../../src/logger.js";
import { HANG_MS, until, within } from "./wait.js";

/** Holds the clock until releaseClock(), or until the test ends, pass or fail. Inside a test only. */
export function holdClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  onTestFinished(releaseClock);
}

/** Moves the held clock ms forward, firing every timer due by then, in order. */
export function moveClock(ms: number): void {
  vi.advanceTimersByTime(ms);
}

/** Real timers again; a timer still pending on the held clock never fires. */
export function releaseClock(): void {
  vi.useRealTimers();
}

/**
 * Starts call() on the held clock and, once ready() holds, moves the clock timeoutMs: the call's
 * deadline fires then and not before. Resolves with what the call resolves to. If the call ends
 * before ready() holds (it never reached the faulted request), the clock is not moved and its
 * result is returned as it is, for the test's assertions to show.
 */
export async function timeOutWhen<T>(
  what: string,
  ready: () => boolean,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  const pending = call();
  let ended = false;
  const end = () => {
    ended = true;
  };
  pending.then(end, end);
  await until(`${what}: the moment to time it out`, () => ended || ready());
  if (!ended) moveClock(timeoutMs);
  return within(HANG_MS, what, pending);
}

/** Whether a request to the sandbox since `from` carried a fault of this type. */
export const faultReached = (sandbox: Sandbox, from: number, type: string) => () =>
  sandbox.requests.slice(from).some((r) => r.fault === type);

/**
 * A client logger that remembers the debug line the client writes when an answer's headers come
 * ("POST /sms/send -> 200 in 3 ms"), before it reads the body: the cue for a body that trickles.
 */
export function headersLog(): {
  logger: Logger;
  /** Whether the headers of an answer to method and a path that matches have come. */
  came(method: string, path: RegExp): boolean;
  /** Forgets the lines so far: came() then answers for what comes next. */
  clear(): void;
} {
  const lines: string[] = [];
  const keep = (message: string) => {
    lines.push(message);
  };
  return {
    logger: { debug: keep, info: keep, warn: keep, error: keep },
    came: (method, path) =>
      lines.some((line) => {
        // The log names the path with its query (uploads?convert=mms); routes are paths alone.
        const [, m, p] = /^(\w+) \/([^\s?]*)\S* -> \d{3} in /.exec(line) ?? [];
        return m === method && p !== undefined && path.test(p);
      }),
    clear: () => {
      lines.length = 0;
    },
  };
}
