/**
 * get_send_status and await_delivery against the sandbox. Delivery is read from history statuses
 * (the sandbox's undeliverable numbers, or a message changed in its state while a wait sleeps), so
 * nothing here depends on the sandbox serving receipts without a POLL rule. Waiting uses a clock
 * that sleeps without sleeping: no assertion depends on the machine's speed.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVERED, UNDELIVERABLE } from "../sandbox/delivery.js";
import type { Clock } from "../src/clock.js";
import { callTool } from "../src/protocol/server.js";
import type { ToolContext, ToolDefinition } from "../src/tool/define-tool.js";
import { sendSms } from "../tools/sms.js";
import { awaitDelivery, getSendStatus } from "../tools/status.js";
import { sendVoice } from "../tools/voice.js";
import { contextFor, type Harness, harness } from "./support/harness.js";
import { dataOf, refused, textOf } from "./support/results.js";
import { addSms } from "./support/tool-args.js";
import { HANG_MS, within } from "./support/wait.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const [FAILS, NEVER_REPORTED] = Object.keys(UNDELIVERABLE) as [string, string];
/** A number the sandbox delivers at once. */
const REAL = "+61412000001";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const historyReads = (from: number) =>
  h.sandbox.requests.slice(from).filter((r) => r.path === "sms/history");

/** Sends one SMS through send_sms; returns its tag and the message the sandbox kept. */
async function sent(to: string, body = `Status ${Math.random()}`) {
  const data = dataOf<Loose>(await h.call(sendSms, { messages: [{ to, body }] }));
  const message = h.sandbox.state.messages.find((m) => m.message_id === data.queued[0].message_id);
  if (!message) throw new Error(`send_sms did not send: ${JSON.stringify(data)}`);
  return { tag: data.tag as string, message };
}

/**
 * A clock whose sleep returns at once, having moved time on by the sleep and run `onSleep`
 * (the n-th sleep, from 1): what changes while a wait sleeps.
 */
function fakeClock(onSleep: (n: number) => void = () => {}) {
  let now = Date.now();
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      onSleep(sleeps.length);
    },
  };
  return { clock, sleeps };
}

/** A sleep that ends only when the call is cancelled; `asleep` and `aborted` say when. */
function untilAborted(signal: AbortSignal, asleep = () => {}, aborted = () => {}): Promise<void> {
  return new Promise((_, reject) => {
    const stop = () => {
      aborted();
      reject(signal.reason);
    };
    if (signal.aborted) return stop();
    signal.addEventListener("abort", stop, { once: true });
    asleep();
  });
}

/** Runs a tool as the server does, with this call's clock, progress reporter and signal. */
function callWith(
  own: Partial<Pick<ToolContext, "signal" | "clock" | "progress">>,
  tool: ToolDefinition,
  args: unknown,
): Promise<CallToolResult> {
  return callTool(tool, args, contextFor(h.client, h.sending, own));
}

describe("get_send_status", () => {
  it("finds a tagged send after a maybe_sent failure, reading history from the send's time", async () => {
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "drop_after" } });
    const failed = await h.call(sendSms, { messages: [{ to: REAL, body: "Dropped answer" }] });
    expect(failed.isError).toBe(true);
    const text = textOf(failed);
    expect(text).toContain("may already have been delivered: it was not retried");
    const tag = /Before sending again, call get_send_status with tag (mcp-[0-9a-f]{8})\./.exec(
      text,
    )?.[1];
    expect(tag, text).toBeDefined();
    const kept = h.sandbox.state.messages.find((m) => m.custom_string === tag);
    expect(kept).toBeDefined();

    const before = h.sandbox.requests.length;
    const status = dataOf<Loose>(await h.call(getSendStatus, { tag }));
    expect(status).toMatchObject({
      tag,
      channel: "sms",
      accepted: 1,
      counts: { delivered: 1 },
      messages: [{ message_id: kept?.message_id, to: REAL, status: "delivered" }],
    });
    expect(status.next).toContain("do not send it again");
    // From the audit's time of the send, not a day back; custom_string matched locally.
    const [read] = historyReads(before);
    const from = Number(read?.query.date_from);
    expect(from).toBeLessThanOrEqual(kept?.date ?? 0);
    expect(from).toBeGreaterThan((kept?.date ?? 0) - 3600);
    const to = Number(read?.query.date_to);
    expect(to).toBeGreaterThanOrEqual(kept?.date ?? Number.POSITIVE_INFINITY);
    expect(to).toBeLessThan((kept?.date ?? 0) + 3600);
    expect(read?.query.q).toBeUndefined();
  });

  it("says a tag that is not in history was not accepted", async () => {
    const status = dataOf<Loose>(await h.call(getSendStatus, { tag: "mcp-00000000" }));
    expect(status).toMatchObject({ accepted: 0, counts: {}, messages: [] });
    expect(status.next).toContain("ClickSend has not accepted it");
  });

  it("tells delivered, failed, pending and test-number messages apart by message id, failures first", async () => {
    const delivered = await sent(REAL);
    const failed = await sent(FAILS);
    const pending = await sent(NEVER_REPORTED);
    const test = await sent("+61411111111");
    const ids = [delivered, failed, pending, test].map((s) => s.message.message_id);
    const before = h.sandbox.requests.length;
    const status = dataOf<Loose>(
      await h.call(getSendStatus, {
        message_ids: [...ids.map((id) => id.toLowerCase()), "00000000-0000-0000-0000-000000000000"],
        since: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    expect(status.accepted).toBe(4);
    expect(status.counts).toEqual({ delivered: 1, failed: 1, pending: 1, test_number: 1 });
    expect(status.messages.map((m: Loose) => m.status)).toEqual([
      "failed",
      "pending",
      "test_number",
      "delivered",
    ]);
    expect(status.messages[0]).toMatchObject({
      message_id: failed.message.message_id,
      error: "«Absent Subscriber»",
    });
    expect(status.not_found).toEqual(["00000000-0000-0000-0000-000000000000"]);
    expect(status.next).toContain("1 not yet reported by the network");
    // Only the pending message's receipt is asked for; its absence (404) is no error.
    const receipts = h.sandbox.requests
      .slice(before)
      .filter((r) => r.path.startsWith("sms/receipts"));
    expect(receipts.map((r) => r.path)).toEqual([`sms/receipts/${pending.message.message_id}`]);
  });

  it("reads at most 10 pages of history and says where it stopped", async () => {
    const at = Math.floor(Date.now() / 1000) - 7200;
    for (let i = 0; i < 1050; i++) {
      addSms(h.sandbox.state, { to: REAL, body: "Old", date: at, custom_string: "bulk" });
    }
    const before = h.sandbox.requests.length;
    const status = dataOf<Loose>(
      await h.call(getSendStatus, { tag: "mcp-11111111", since: at + 300 }),
    );
    expect(historyReads(before)).toHaveLength(10);
    expect(status.accepted).toBe(0);
    expect(status.unchecked).toEqual([
      expect.stringMatching(
        /^history after \S+Z \(10 pages read\): look again with that as since$/,
      ),
    ]);
  });

  it("refuses a call with neither tag nor message_ids, and a voice send's tag, naming the field", async () => {
    await refused(h, getSendStatus, {}, "tag: required: give tag or message_ids");
    await refused(h, getSendStatus, { message_ids: ["not-an-id"] }, "message_ids", "UUID");
    const voice = dataOf<Loose>(
      await h.call(sendVoice, { messages: [{ to: REAL, body: "Hello", voice: "female" }] }),
    );
    await refused(h, getSendStatus, { tag: voice.tag }, "tag: this send was a voice call");
  });
});

describe("await_delivery", () => {
  it("waits while a message is pending, reports progress, and ends when it is delivered", async () => {
    const { tag, message } = await sent(NEVER_REPORTED);
    const { clock, sleeps } = fakeClock((n) => {
      if (n === 2) Object.assign(message, DELIVERED);
    });
    const progress: Array<Parameters<ToolContext["progress"]>> = [];
    const result = await callWith(
      { clock, progress: (...report) => progress.push(report) },
      awaitDelivery,
      { tag },
    );
    expect(dataOf(result)).toMatchObject({
      outcome: "settled",
      accepted: 1,
      counts: { delivered: 1 },
      waited_s: 5,
    });
    expect(sleeps).toEqual([2000, 3000]);
    expect(progress).toEqual([
      [0, 60, "1 pending"],
      [2, 60, "1 pending"],
      [5, 60, "1 delivered"],
    ]);
  });

  it("ends when a message fails, and at once when nothing is pending", async () => {
    const { tag, message } = await sent(NEVER_REPORTED);
    const { clock } = fakeClock(() => Object.assign(message, UNDELIVERABLE[FAILS]));
    const failed = dataOf<Loose>(await callWith({ clock }, awaitDelivery, { tag }));
    expect(failed).toMatchObject({ outcome: "settled", counts: { failed: 1 }, waited_s: 2 });

    const already = await sent(FAILS);
    const idle = fakeClock();
    const now = dataOf<Loose>(
      await callWith({ clock: idle.clock }, awaitDelivery, { tag: already.tag }),
    );
    expect(now).toMatchObject({ outcome: "settled", counts: { failed: 1 }, waited_s: 0 });
    expect(idle.sleeps).toEqual([]);
  });

  it("stops at the timeout with what is still pending, sleeping between looks", async () => {
    const { tag } = await sent(NEVER_REPORTED);
    const { clock, sleeps } = fakeClock();
    const before = h.sandbox.requests.length;
    const result = dataOf<Loose>(await callWith({ clock }, awaitDelivery, { tag, timeout_s: 12 }));
    expect(result).toMatchObject({ outcome: "timed_out", counts: { pending: 1 }, waited_s: 12 });
    expect(result.next).toContain("1 not yet reported by the network");
    // Exactly how to go on, with the send's own selector.
    expect(result.next).toContain(
      `call await_delivery again with tag ${tag}, channel sms and since`,
    );
    expect(result.next).toContain("or get_send_status with the same arguments");
    expect(sleeps).toEqual([2000, 3000, 5000, 2000]);
    // One history read per look.
    expect(historyReads(before)).toHaveLength(sleeps.length + 1);
  });

  it("does not wait for a send that is not in history", async () => {
    const { clock, sleeps } = fakeClock();
    const result = dataOf<Loose>(await callWith({ clock }, awaitDelivery, { tag: "mcp-22222222" }));
    expect(result).toMatchObject({ outcome: "not_found", accepted: 0 });
    expect(sleeps).toEqual([]);
  });

  it("refuses a timeout above 90 s, naming the field: a host may lose a call past 120 s", async () => {
    await refused(h, awaitDelivery, { tag: "mcp-1", timeout_s: 91 }, "timeout_s");
    await refused(h, awaitDelivery, { tag: "mcp-1", timeout_s: 300 }, "timeout_s");
  });

  it("answers by 100 s with the last look when ClickSend stops answering", async () => {
    const { tag } = await sent(NEVER_REPORTED);
    let now = Date.now();
    // The first sleep takes the wait to 99.9 s, so the next look has 0.1 s left.
    const clock: Clock = {
      now: () => now,
      sleep: async () => {
        now += 99_900;
        h.sandbox.faults.inject({ path: "sms/history", fault: { type: "delay", ms: HANG_MS } });
      },
    };
    const result = dataOf<Loose>(await callWith({ clock }, awaitDelivery, { tag, timeout_s: 90 }));
    h.sandbox.faults.clear();
    expect(result).toMatchObject({ outcome: "timed_out", counts: { pending: 1 } });
    expect(result.unchecked).toContain("the last look, which ClickSend did not answer in time");
    expect(result.next).toContain(`call await_delivery again with tag ${tag}`);
  });

  it("stops waiting when the call is cancelled, and makes no request after", async () => {
    const { tag } = await sent(NEVER_REPORTED);
    const controller = new AbortController();
    let sleeping: () => void = () => {};
    const asleep = new Promise<void>((resolve) => {
      sleeping = resolve;
    });
    const clock: Clock = {
      now: () => Date.now(),
      // Sleeps until cancelled.
      sleep: (_ms, signal) => untilAborted(signal, sleeping),
    };
    const call = callWith({ clock, signal: controller.signal }, awaitDelivery, { tag });
    await within(HANG_MS, "first look", asleep);
    const before = h.sandbox.requests.length;
    controller.abort();
    const result = await within(HANG_MS, "await_delivery after cancel", call);
    expect(result.isError).toBe(true);
    expect(dataOf<Loose>(result)).toMatchObject({
      error: expect.stringMatching(/^Cancelled after \d+ s; last look: 1 pending\.$/),
      counts: { pending: 1 },
    });
    expect(h.sandbox.requests.length).toBe(before);
  });
});

describe("await_delivery over MCP", () => {
  it("sends notifications/progress for the call's progressToken, and a cancel ends the wait", async () => {
    const { tag, message } = await sent(NEVER_REPORTED);
    let cancelled: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    const { clock } = fakeClock((n) => {
      if (n === 1) Object.assign(message, DELIVERED);
    });
    const client = await h.connect({ clock });
    const progress: Loose[] = [];
    const result = await client.callTool(
      { name: "await_delivery", arguments: { tag } },
      {
        onprogress: (p) => progress.push(p),
      },
    );
    expect(result.isError).toBeFalsy();
    expect(progress).toEqual([
      { progress: 0, total: 60, message: "1 pending" },
      { progress: 2, total: 60, message: "1 delivered" },
    ]);

    // The host cancels while the tool sleeps: the sleep is aborted, the client's call rejects.
    const pending = await sent(NEVER_REPORTED);
    const slow = await h.connect({
      clock: {
        now: () => Date.now(),
        sleep: (_ms, signal) => untilAborted(signal, undefined, cancelled),
      },
    });
    const controller = new AbortController();
    const call = slow.callTool(
      { name: "await_delivery", arguments: { tag: pending.tag } },
      {
        signal: controller.signal,
        onprogress: () => controller.abort(),
      },
    );
    await expect(within(HANG_MS, "cancelled call", call)).rejects.toThrow(/abort/i);
    await within(HANG_MS, "the tool's sleep to be aborted", stopped);
  });
});
