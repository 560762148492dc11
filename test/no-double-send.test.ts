/**
 * Nothing sent twice, nothing lost: 200 sends through the tools with random faults, some retried
 * by the "agent" with the same arguments. At the end the sandbox's delivered messages are
 * compared with what every tool result claimed.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Fault } from "../sandbox/faults.js";
import type { ToolDefinition } from "../src/define-tool.js";
import { tools } from "../tools/index.js";
import { faultReached, headersLog, holdClock, moveClock, timeOutWhen } from "./support/deadline.js";
import { type Harness, harness } from "./support/harness.js";
import { dataOf, MAYBE_SENT, NOTHING_SENT, textOf } from "./support/results.js";
import { type Fixture, stateFixture, validArgs } from "./support/tool-args.js";
import { HANG_MS, settled, within } from "./support/wait.js";

const SENDS = 200;
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_507);
/**
 * The client's deadline. The test holds the clock (support/deadline.ts): a send times out only
 * when the test moves the clock, which it does for the delay and trickle faults alone, so a send
 * without such a fault cannot time out however slow the machine is.
 */
const TIMEOUT_MS = 10_000;
/** The delay fault's answer comes this long after the request: after the deadline. */
const DELAY_MS = 2 * TIMEOUT_MS;

/** A SUCCESS that does not say what became of the messages. */
const NO_LIST = { http_code: 200, response_code: "SUCCESS", response_msg: "Queued.", data: {} };

type Channel = "sms" | "mms" | "voice";
type Claim = "sent" | "not_sent" | "maybe_sent";

interface Plan {
  channel: Channel;
  /** Injected on this send's POST; undefined: no fault. */
  fault: Fault | undefined;
  /** Pass an idempotency_key (else the duplicate window protects a retry). */
  key: boolean;
  /** The agent calls again with the same arguments, whatever the first call said. */
  retry: boolean;
}

const plans: Plan[] = fc.sample(
  fc.record({
    channel: fc.constantFrom<Channel>("sms", "sms", "mms", "voice"),
    fault: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      // Refused before handling: nothing was delivered.
      { weight: 2, arbitrary: fc.constantFrom<Fault>({ type: "status", status: 500 }) },
      { weight: 2, arbitrary: fc.constantFrom<Fault>({ type: "status", status: 503 }) },
      { weight: 2, arbitrary: fc.constant<Fault>({ type: "drop" }) },
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "status", status: 400 }) },
      // Not handled, and nothing can have been: quoted back, or sent elsewhere.
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "echo" }) },
      {
        weight: 1,
        arbitrary: fc.constant<Fault>({
          type: "redirect",
          status: 307,
          location: "http://127.0.0.1:1/v3/sms/send",
        }),
      },
      // Not handled, but the answer leaves it open: too large to read, or no message list.
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "oversized", bytes: 8 * 1024 * 1024 }) },
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "status", status: 200, body: NO_LIST }) },
      // Handled, but the answer never arrives: the message WAS delivered.
      { weight: 2, arbitrary: fc.constant<Fault>({ type: "drop_after" }) },
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "delay", ms: DELAY_MS }) },
      // The headers, then a byte an hour: the body is still arriving at the deadline.
      { weight: 1, arbitrary: fc.constant<Fault>({ type: "trickle", intervalMs: 3_600_000 }) },
    ),
    key: fc.boolean(),
    retry: fc.boolean(),
  }),
  { seed: SEED, numRuns: SENDS },
);

/** Whether the sandbox handles the request (delivers) despite the fault. */
const delivers = (fault: Fault | undefined) =>
  !fault || fault.type === "drop_after" || fault.type === "delay" || fault.type === "trickle";

/** What the first call must claim, given the fault: refusals and redirects sent nothing. */
function expectedClaim(fault: Fault | undefined): Claim {
  if (!fault) return "sent";
  const refused =
    (fault.type === "status" && fault.status === 400) ||
    fault.type === "echo" ||
    fault.type === "redirect";
  return refused ? "not_sent" : "maybe_sent";
}

function claimOf(result: CallToolResult): Claim | string {
  const text = textOf(result);
  if (!result.isError) return "sent";
  // A local refusal (duplicate, idempotency key) may quote an earlier "may have been delivered".
  if (text.endsWith("Nothing was sent.") || NOTHING_SENT.test(text)) return "not_sent";
  if (MAYBE_SENT.test(text)) return "maybe_sent";
  return `unexpected: ${text}`;
}

const queuedIds = (result: CallToolResult) =>
  (dataOf<{ queued?: Array<{ message_id: string }> } | undefined>(result)?.queued ?? []).map(
    (m) => m.message_id,
  );

let h: Harness;
let fixture: Fixture;

beforeAll(async () => {
  // The default duplicate window, as a user runs it: an agent's retry must be refused.
  h = await harness({ sending: { duplicateWindowS: 600 } });
  fixture = stateFixture(h.sandbox.state);
});
afterAll(() => h?.close());

it(`delivers each of ${SENDS} faulted sends at most once, exactly as the results claim`, async () => {
  const headers = headersLog();
  const call = h.callWith({ timeoutMs: TIMEOUT_MS, logger: headers.logger });
  holdClock();
  /**
   * One call. The delay and trickle faults are timed out at their cue: once the request reached
   * the sandbox, once its answer's headers reached the client. Any other call ends by itself.
   */
  const send = (tool: ToolDefinition, args: Record<string, unknown>, fault?: Fault) => {
    const from = h.sandbox.requests.length;
    headers.clear();
    if (fault?.type === "delay") {
      return timeOutWhen(tool.name, faultReached(h.sandbox, from, "delay"), TIMEOUT_MS, () =>
        call(tool, args),
      );
    }
    if (fault?.type === "trickle") {
      return timeOutWhen(
        tool.name,
        () => headers.came("POST", /\/send$/),
        TIMEOUT_MS,
        () => call(tool, args),
      );
    }
    return within(HANG_MS, tool.name, call(tool, args));
  };
  const byName = new Map(tools.map((t) => [t.name, t]));
  const sends: Array<{
    plan: Plan;
    body: string;
    to: string;
    claims: Claim[];
    ids: string[];
  }> = [];
  const tally: Record<string, number> = {};

  for (const [i, plan] of plans.entries()) {
    const tool = byName.get(`send_${plan.channel}`);
    if (!tool) throw new Error(`no send_${plan.channel} tool`);
    const args = validArgs(tool.name, fixture);
    const message = (args.messages as Array<{ to: string; body: string }>)[0];
    if (!message) throw new Error("no message");
    message.body = `${message.body} #${i}`;
    if (plan.key) args.idempotency_key = `send-${i}`;

    if (plan.fault)
      h.sandbox.faults.inject({ method: "POST", path: `${plan.channel}/send`, fault: plan.fault });
    const first = await send(tool, args, plan.fault);
    h.sandbox.faults.clear();
    const claims = [claimOf(first)];
    const ids = queuedIds(first);
    if (plan.retry) {
      // While a delayed first request is still unanswered, as an agent retries at once.
      const again = await send(tool, args);
      claims.push(claimOf(again));
      // A replayed idempotent send reports the first send's message ids, never new ones.
      if (claims[0] === "sent" && claims[1] === "sent") expect(queuedIds(again)).toEqual(ids);
      ids.push(...queuedIds(again).filter((id) => !ids.includes(id)));
    }
    for (const claim of claims) {
      expect(claim, `send ${i} (${JSON.stringify(plan)})`).toMatch(/^(sent|not_sent|maybe_sent)$/);
    }
    const key = `${plan.fault?.type ?? "none"}${plan.fault?.type === "status" ? plan.fault.status : ""}: ${claims.join(" then ")}`;
    tally[key] = (tally[key] ?? 0) + 1;
    sends.push({ plan, body: message.body, to: message.to, claims: claims as Claim[], ids });
    // A delayed request is handled after the client gave up: it lands before the next send.
    moveClock(DELAY_MS);
    await settled(h.sandbox);
  }

  console.log(`no-double-send (seed ${SEED}):`, tally);

  const delivered = new Map<string, number>();
  for (const m of h.sandbox.state.messages) {
    const key = `${m.to}|${m.body}`;
    delivered.set(key, (delivered.get(key) ?? 0) + 1);
  }
  // No body was ever delivered twice.
  expect([...delivered].filter(([, count]) => count > 1)).toEqual([]);

  for (const [i, { plan, body, to, claims, ids }] of sends.entries()) {
    const count = delivered.get(`${to}|${body}`) ?? 0;
    const where = `send ${i} ${JSON.stringify(plan)} claimed ${claims.join(", ")}`;
    // What the first call must say, given what the sandbox really did.
    expect(claims[0], where).toBe(expectedClaim(plan.fault));
    if (claims.includes("sent")) {
      expect(count, where).toBe(1);
      for (const id of ids) {
        const matching = h.sandbox.state.messages.filter((m) => m.message_id === id);
        expect(
          matching.map((m) => m.body),
          where,
        ).toEqual([body]);
      }
    } else if (claims.every((c) => c === "not_sent")) {
      expect(count, where).toBe(0);
    } else {
      expect(count, where).toBeLessThanOrEqual(1);
      // What really happened, so the scenario is known to cover both sides of "maybe".
      expect(count, where).toBe(delivers(plan.fault) ? 1 : 0);
    }
    // An agent's retry after "maybe" or "sent" is refused (or replayed), never sent again.
    if (claims[1] !== undefined && claims[0] !== "not_sent")
      expect(claims[1], where).not.toBe("maybe_sent");
  }

  // Every kind of fault really occurred, with and without an agent's retry.
  const kinds = new Set(plans.map((p) => p.fault?.type ?? "none"));
  expect([...kinds].sort()).toEqual([
    "delay",
    "drop",
    "drop_after",
    "echo",
    "none",
    "oversized",
    "redirect",
    "status",
    "trickle",
  ]);
  expect(plans.filter((p) => p.retry && p.fault).length).toBeGreaterThan(20);
});
