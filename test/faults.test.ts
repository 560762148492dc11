/**
 * The fault matrix: every tool of the registry against every fault the sandbox can inject.
 * Each fault ends in isError saying what happened (and, for writes, whether anything was sent)
 * and showing no credentials and no message text, whatever upstream quoted back; reads are
 * retried as the client's policy says and recover when the fault clears in time; writes are
 * attempted exactly once; the next call after every fault works normally.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../sandbox/faults.js";
import type { RequestRecord } from "../sandbox/server.js";
import { tools } from "../tools/index.js";
import {
  faultReached,
  headersLog,
  holdClock,
  moveClock,
  releaseClock,
  timeOutWhen,
} from "./support/deadline.js";
import { type Harness, harness, type ToolCaller, writes } from "./support/harness.js";
import { MAYBE_SENT, NOTHING_SENT, textOf } from "./support/results.js";
import { type Fixture, stateFixture, VALID_ARGS, validArgs } from "./support/tool-args.js";
import { HANG_MS, settled, within } from "./support/wait.js";

/**
 * The client's deadline in the timeout cases. The clock is held there (support/deadline.ts), so
 * only the faulted request times out, when the test moves the clock: no margin to blow.
 */
const TIMEOUT_MS = 10_000;
/** The delay fault answers this long after the request: after the deadline, whatever the load. */
const DELAY_MS = 2 * TIMEOUT_MS;
/** Where redirects point: another origin, where nobody listens. */
const ELSEWHERE = "http://127.0.0.1:1/v3/elsewhere";

interface FaultCase {
  name: string;
  fault: Fault;
  /** What the message must say happened. */
  says: RegExp;
  /** Requests a read makes: 3 when the client retries (limit 2), else 1. */
  readAttempts: 1 | 3;
  /** What a write must say about its outcome. */
  write: "not_sent" | "maybe_sent";
  /**
   * A timeout case, and when its deadline is to fire: once the faulted request has reached the
   * sandbox (nothing answered yet), or once its answer's headers have reached the client.
   */
  timeout?: "request" | "headers";
}

const FAULTS: FaultCase[] = [
  {
    name: "400 with field errors",
    fault: { type: "status", status: 400 },
    says: /HTTP 400 BAD_REQUEST.*body: Body field is required/,
    readAttempts: 1,
    write: "not_sent",
  },
  {
    name: "401",
    fault: { type: "status", status: 401 },
    says: /HTTP 401 .*credentials were rejected/,
    readAttempts: 1,
    write: "not_sent",
  },
  {
    name: "403",
    fault: { type: "status", status: 403 },
    says: /HTTP 403 FORBIDDEN/,
    readAttempts: 1,
    write: "not_sent",
  },
  {
    name: "404",
    fault: { type: "status", status: 404 },
    says: /HTTP 404 NOT_FOUND/,
    readAttempts: 1,
    write: "not_sent",
  },
  {
    name: "429 with a short Retry-After",
    fault: { type: "status", status: 429, retryAfter: 0 },
    says: /HTTP 429 .*Rate-limited: retry after 0 seconds/,
    readAttempts: 3,
    write: "not_sent",
  },
  {
    name: "429 with a Retry-After longer than the client waits",
    fault: { type: "status", status: 429, retryAfter: 120 },
    says: /HTTP 429 .*Rate-limited: retry after 120 seconds/,
    readAttempts: 1,
    write: "not_sent",
  },
  ...([500, 502, 503] as const).map(
    (status): FaultCase => ({
      name: String(status),
      fault: { type: "status", status },
      says: new RegExp(`HTTP ${status} `),
      readAttempts: 3,
      write: "maybe_sent",
    }),
  ),
  {
    name: "timeout",
    fault: { type: "delay", ms: DELAY_MS },
    says: /did not answer .* in time \(timeout after \d+ ms\)\./,
    readAttempts: 1,
    write: "maybe_sent",
    timeout: "request",
  },
  {
    name: "body trickling in past the timeout",
    // The headers, then a byte an hour: the body is still arriving when the deadline fires.
    fault: { type: "trickle", intervalMs: 3_600_000 },
    says: /did not answer .* in time \(timeout after \d+ ms\): HTTP 200 came/,
    readAttempts: 1,
    write: "maybe_sent",
    timeout: "headers",
  },
  ...([302, 307, 308] as const).map(
    (status): FaultCase => ({
      name: `${status} redirect to another origin`,
      fault: { type: "redirect", status, location: ELSEWHERE },
      says: new RegExp(
        `redirect \\(HTTP ${status}\\) to 127\\.0\\.0\\.1:1, which was not followed`,
      ),
      readAttempts: 1,
      write: "not_sent",
    }),
  ),
  {
    name: "400 echoing the Authorization header and the body",
    fault: { type: "echo" },
    says: /HTTP 400 BAD_REQUEST: Invalid request \(Authorization: Basic \[credentials\]\)/,
    readAttempts: 1,
    write: "not_sent",
  },
  {
    name: "body over the size cap",
    fault: { type: "oversized", bytes: 8 * 1024 * 1024 },
    says: /HTTP 200 and a body over 4 MiB, which was not read/,
    readAttempts: 1,
    write: "maybe_sent",
  },
  {
    name: "HTML body (502)",
    fault: { type: "html" },
    says: /HTTP 502 and an HTML page instead of JSON/,
    readAttempts: 3,
    write: "maybe_sent",
  },
  {
    name: "empty body (200)",
    fault: { type: "empty" },
    says: /HTTP 200 and an empty body/,
    readAttempts: 1,
    write: "maybe_sent",
  },
  {
    name: "truncated JSON",
    fault: { type: "truncated" },
    says: /HTTP 200 and malformed JSON/,
    readAttempts: 1,
    write: "maybe_sent",
  },
  {
    name: "reset connection",
    fault: { type: "drop" },
    says: /The connection to ClickSend broke during/,
    readAttempts: 3,
    write: "maybe_sent",
  },
];

/** The faults a read retries through, so it succeeds when they clear within the budget. */
const RETRIED = FAULTS.filter((c) => c.readAttempts === 3);

let h: Harness;
let fixture: Fixture;
/** Where the timed client says when an answer's headers came. */
const headers = headersLog();
/** A caller whose client has TIMEOUT_MS and writes to `headers`. */
let callTimed: ToolCaller;

beforeAll(async () => {
  h = await harness();
  const user = h.sandbox.state.users[0];
  if (user) user.balance = 1_000_000;
  fixture = stateFixture(h.sandbox.state);
  callTimed = h.callWith({ timeoutMs: TIMEOUT_MS, logger: headers.logger });
});
afterAll(() => h?.close());

it("has valid arguments for every tool in the registry", () => {
  expect(tools.map((t) => t.name).filter((name) => !(name in VALID_ARGS))).toEqual([]);
});

/** The credentials, and the message texts of the requests made (of 4 characters or more). */
function secretsOf(requests: RequestRecord[]): string[] {
  const { username, apiKey } = h.sandbox.credentials;
  const pair = `${username}:${apiKey}`;
  const texts: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === "string" && (key === "body" || key === "subject")) texts.push(value);
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? key : k);
    }
  };
  for (const request of requests) walk(request.body, "");
  return [
    apiKey,
    pair,
    Buffer.from(pair).toString("base64"),
    ...texts.filter((t) => t.length >= 4),
  ];
}

/** "lists/2932040/contacts/12" -> /^lists\/[^/]+\/contacts\/[^/]+$/: ids differ per call. */
function routeOf(path: string): RegExp {
  const segments = path
    .split("/")
    .map((s) =>
      /^(\d+|[0-9A-F]{8}-[0-9A-F-]{27})$/i.test(s) ? "[^/]+" : s.replace(/\W/g, "\\$&"),
    );
  return new RegExp(`^${segments.join("/")}$`);
}

describe.each(tools.map((tool) => [tool.name, tool] as const))("%s", (_name, tool) => {
  const isWrite = !tool.annotations.readOnlyHint;
  /** The request that does the tool's work: faults are injected on it, attempts counted. */
  let target: { method: string; path: RegExp };
  /** A read whose work is a POST (a preview's price quote) is not retried, as no POST is. */
  const retried = () => target.method === "GET";
  const matches = (r: RequestRecord) => r.method === target.method && target.path.test(r.path);

  /**
   * Calls the tool and says what it made. A timeout case runs on the held clock: its deadline
   * fires at its cue, and then the clock moves past the delay, so a delayed request is handled
   * (as it would be upstream) before the next call, never in the middle of it.
   */
  async function run(timeout?: FaultCase["timeout"]) {
    const before = h.sandbox.requests.length;
    const writesBefore = writes(h.sandbox).length;
    const args = validArgs(tool.name, fixture);
    let result: Awaited<ReturnType<ToolCaller>>;
    if (timeout) {
      headers.clear();
      holdClock();
      const cue =
        timeout === "request"
          ? faultReached(h.sandbox, before, "delay")
          : () => headers.came(target.method, target.path);
      result = await timeOutWhen(tool.name, cue, TIMEOUT_MS, () => callTimed(tool, args));
      moveClock(DELAY_MS);
      await settled(h.sandbox);
      releaseClock();
    } else {
      result = await within(HANG_MS, tool.name, h.call(tool, args));
    }
    h.sandbox.faults.clear();
    const made = h.sandbox.requests.slice(before);
    return {
      result,
      text: textOf(result),
      attempts: made.filter(matches).length,
      writes: writes(h.sandbox).length - writesBefore,
      secrets: secretsOf(made),
    };
  }

  beforeAll(async () => {
    const before = h.sandbox.requests.length;
    const result = await h.call(tool, validArgs(tool.name, fixture));
    expect(result.isError, textOf(result)).toBeFalsy();
    const main = h.sandbox.requests.slice(before).at(-1);
    if (!main) throw new Error(`${tool.name} made no request`);
    target = { method: main.method, path: routeOf(main.path) };
    const quote = main.method === "POST" && /\/price$/.test(main.path);
    expect(main.method === "GET" || quote, `${tool.name}: ${main.method} /${main.path}`).toBe(
      !isWrite,
    );
  });

  it.each(FAULTS)("$name: isError, says what happened, attempts as the policy says", async (c) => {
    h.sandbox.faults.inject({ method: target.method, path: target.path, times: 3, fault: c.fault });
    const { result, text, attempts, writes: writesMade, secrets } = await run(c.timeout);
    expect(result.isError, text).toBe(true);
    expect(text).toMatch(c.says);
    for (const secret of secrets) expect(text).not.toContain(secret);
    if (isWrite) {
      // A write is never retried: one request, whatever the fault.
      expect(attempts).toBe(1);
      expect(writesMade).toBe(1);
      if (c.write === "not_sent") {
        expect(text).toMatch(NOTHING_SENT);
        expect(text).not.toMatch(MAYBE_SENT);
      } else {
        expect(text).toMatch(MAYBE_SENT);
        expect(text).not.toMatch(NOTHING_SENT);
      }
    } else {
      expect(attempts).toBe(retried() ? c.readAttempts : 1);
      expect(writesMade).toBe(retried() ? 0 : 1);
      expect(text).not.toMatch(MAYBE_SENT);
    }

    // The fault is gone: the next call works normally.
    const next = await run();
    expect(next.result.isError, next.text).toBeFalsy();
    expect(next.attempts).toBe(1);
  });

  if (!isWrite) {
    it.for(RETRIED)(
      "$name: a read succeeds when the fault clears within the retries",
      async (c, { skip }) => {
        if (!retried()) skip("a POST is never retried");
        for (const times of [1, 2]) {
          h.sandbox.faults.inject({
            method: target.method,
            path: target.path,
            times,
            fault: c.fault,
          });
          const { result, text, attempts } = await run();
          expect(result.isError, text).toBeFalsy();
          expect(attempts).toBe(times + 1);
        }
      },
    );
  }
});
