import { describe, expect, it } from "vitest";
import { checkRecipients } from "../src/sending/guards.js";
import { emptyState, issue, type ReserveRequest, reserve, settle } from "../src/state/ledger.js";

const noLists = new Map<number, number>();

describe("checkRecipients", () => {
  it("allows exact numbers and prefixes only", () => {
    const config = { allowedRecipients: ["+61*", "+447777777777"] };
    expect(() => checkRecipients(config, ["+61411111111", "+447777777777"], noLists)).not.toThrow();
    expect(() => checkRecipients(config, ["+14055555555"], noLists)).toThrow(
      /CLICKSEND_ALLOWED_RECIPIENTS/,
    );
  });

  it("counts list members against the per-call cap and says how big the list is", () => {
    const numbers = Array.from({ length: 9 }, (_, i) => `+6141111111${i}`);
    expect(() => checkRecipients({ maxRecipientsPerCall: 5 }, numbers, new Map([[42, 8]]))).toThrow(
      /limit is 5 recipients per call and this call has 9 \(list 42 has 8 recipients\)/,
    );
  });
});

const request = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  id: "r1",
  tag: "t1",
  fingerprint: "f1",
  duplicateWindowMs: 600_000,
  messages: 1,
  limits: {},
  ...over,
});

describe("the ledger's reserve and settle", () => {
  it("sums settled usage by five minutes: the state does not grow with the day's sends", () => {
    const limits = { dailyMessages: 1000, dailySpend: 100 };
    let state = emptyState();
    // 300 sends over ten minutes, at the real counts on settling (2 messages, 0.16 each).
    for (let i = 0; i < 300; i++) {
      const id = `s${i}`;
      const at = i * 2000;
      const request1 = request({ id, fingerprint: id, messages: 1, amount: 0.08, limits });
      const taken = reserve(state, request1, at);
      expect(taken.value.ok).toBe(true);
      state = settle(
        taken.state,
        id,
        { outcome: "sent", messages: 2, amount: 0.16 },
        at + 500,
      ).state;
    }
    expect(Object.keys(state.usage)).toHaveLength(2);
    const probe = (at: number, over: Partial<ReserveRequest["limits"]>) => {
      const one = request({
        id: "p",
        fingerprint: "p",
        amount: 0.08,
        limits: { ...limits, ...over },
      });
      return reserve(state, one, at).value;
    };
    expect(probe(600_000, { dailyMessages: 600 })).toMatchObject({
      refusal: { kind: "daily_messages", used: 600 },
    });
    expect(probe(600_000, { dailySpend: 48 })).toMatchObject({
      refusal: { kind: "daily_spend", used: 48 },
    });
    // Five minutes count until their last send (at 298 s) is a day old: their first sends count a
    // little longer than a day, on the strict side.
    const day = 86_400_000;
    expect(probe(day + 297_999, { dailyMessages: 600 })).toMatchObject({
      refusal: { kind: "daily_messages", used: 600 },
    });
    expect(probe(day + 298_000, { dailyMessages: 300 })).toMatchObject({
      refusal: { kind: "daily_messages", used: 300 },
    });
    expect(probe(day + 598_000, { dailyMessages: 1 })).toEqual({ ok: true });
  });

  it("keeps a rolling 24-hour count and refuses past the daily limit", () => {
    let state = emptyState();
    const limits = { dailyMessages: 10 };
    let step = reserve(state, request({ id: "a", messages: 8, limits }), 0);
    expect(step.value.ok).toBe(true);
    state = step.state;
    step = reserve(state, request({ id: "b", fingerprint: "f2", messages: 3, limits }), 1000);
    expect(step.value).toMatchObject({
      ok: false,
      refusal: { kind: "daily_messages", limit: 10, used: 8, requested: 3 },
    });
    step = reserve(state, request({ id: "c", fingerprint: "f3", messages: 3, limits }), 86_400_001);
    expect(step.value.ok).toBe(true);
  });

  it("releases what a send that did not happen took, and keeps what may have been sent", () => {
    let state = reserve(emptyState(), request({ key: "k", limits: { dailyMessages: 1 } }), 0).state;
    const again = request({ id: "r2", key: "k", limits: { dailyMessages: 1 } });
    expect(reserve(state, again, 1).value).toMatchObject({
      ok: false,
      refusal: { kind: "key_in_progress" },
    });
    const released = settle(state, "r1", { outcome: "not_sent" }, 2).state;
    expect(reserve(released, again, 3).value.ok).toBe(true);
    state = settle(state, "r1", { outcome: "maybe_sent" }, 2).state;
    expect(
      reserve(state, request({ id: "r3", fingerprint: "other", limits: { dailyMessages: 1 } }), 3)
        .value,
    ).toMatchObject({
      ok: false,
      refusal: { kind: "daily_messages", used: 1 },
    });
    expect(reserve(state, again, 3).value).toMatchObject({ refusal: { kind: "key_maybe_sent" } });
  });

  it("replays a sent key's result, refuses it for other content, and counts what was really sent", () => {
    let state = reserve(emptyState(), request({ key: "k", messages: 5 }), 0).state;
    state = settle(
      state,
      "r1",
      { outcome: "sent", messages: 2, result: { queued_count: 2 } },
      1,
    ).state;
    expect(reserve(state, request({ id: "r2", key: "k" }), 2).value).toMatchObject({
      refusal: { kind: "key_replay", result: { queued_count: 2 } },
    });
    expect(
      reserve(state, request({ id: "r2", key: "k", fingerprint: "f9" }), 2).value,
    ).toMatchObject({
      refusal: { kind: "key_other_send" },
    });
    const limited = request({
      id: "r3",
      fingerprint: "f3",
      messages: 8,
      limits: { dailyMessages: 10 },
    });
    expect(reserve(state, limited, 2).value.ok).toBe(true);
  });

  it("refuses identical content only within the window, and not at all with window 0", () => {
    const state = reserve(emptyState(), request(), 0).state;
    expect(reserve(state, request({ id: "r2" }), 1).value).toMatchObject({
      refusal: { kind: "duplicate", pending: true },
    });
    expect(reserve(state, request({ id: "r2" }), 600_001).value.ok).toBe(true);
    expect(reserve(state, request({ id: "r2", duplicateWindowMs: 0 }), 1).value.ok).toBe(true);
  });

  it("refuses a send when any of its contents (recipient and text) went within the window", () => {
    const state = reserve(emptyState(), request({ contents: ["to-a", "to-b"] }), 0).state;
    const wider = request({ id: "r2", fingerprint: "f2", contents: ["to-c", "to-b", "to-d"] });
    expect(reserve(state, wider, 1).value).toMatchObject({
      ok: false,
      refusal: { kind: "duplicate", matched: ["to-b"], pending: true },
    });
    const other = request({ id: "r2", fingerprint: "f2", contents: ["to-c"] });
    expect(reserve(state, other, 1).value.ok).toBe(true);
    // not_sent releases every content; sent keeps every one of them.
    expect(reserve(settle(state, "r1", { outcome: "not_sent" }, 2).state, wider, 3).value.ok).toBe(
      true,
    );
    const sent = settle(state, "r1", { outcome: "sent" }, 2).state;
    expect(reserve(sent, wider, 3).value).toMatchObject({
      refusal: { kind: "duplicate", matched: ["to-b"], pending: false },
    });
  });

  it("never keeps a key or a confirmation in clear", () => {
    const issued = issue(emptyState(), issueRequest, 0).state;
    const state = reserve(issued, request({ key: "my-secret-key", confirmation: token }), 0).state;
    const text = JSON.stringify(state);
    expect(text).not.toContain("my-secret-key");
    expect(text).not.toContain("token-123");
    expect(
      reserve(state, request({ id: "r2", fingerprint: "x", confirmation: token }), 1).value,
    ).toMatchObject({
      refusal: { kind: "confirmation_used" },
    });
  });
});

const token = { token: "token-123", payload: "payload-a" };
const issueRequest = { token: "token-123", payload: "payload-a", channel: "sms", ttlMs: 600_000 };

describe("the ledger's confirmations", () => {
  const issued = issue(emptyState(), issueRequest, 1_000).state;

  it("accepts an issued token once, for its payload, before it expires", () => {
    const first = reserve(issued, request({ confirmation: token }), 2_000);
    expect(first.value.ok).toBe(true);
    expect(
      reserve(first.state, request({ id: "r2", fingerprint: "f2", confirmation: token }), 3_000)
        .value,
    ).toMatchObject({ refusal: { kind: "confirmation_used", at: 2_000 } });
  });

  it("refuses another payload without consuming the token", () => {
    const other = reserve(issued, request({ confirmation: { ...token, payload: "b" } }), 2_000);
    expect(other.value).toMatchObject({
      refusal: { kind: "confirmation_mismatch", channel: "sms" },
    });
    expect(reserve(other.state, request({ confirmation: token }), 2_000).value.ok).toBe(true);
  });

  it("refuses an expired token, and one never issued", () => {
    expect(reserve(issued, request({ confirmation: token }), 601_000).value).toMatchObject({
      refusal: { kind: "confirmation_expired", until: 601_000 },
    });
    expect(reserve(issued, request({ confirmation: token }), 600_999).value.ok).toBe(true);
    expect(
      reserve(issued, request({ confirmation: { ...token, token: "other" } }), 2_000).value,
    ).toMatchObject({ refusal: { kind: "confirmation_unknown" } });
  });

  it("takes nothing when another rule refuses: the token stays usable", () => {
    const limited = request({ confirmation: token, messages: 5, limits: { dailyMessages: 4 } });
    const refused = reserve(issued, limited, 2_000);
    expect(refused.value).toMatchObject({ refusal: { kind: "daily_messages" } });
    expect(reserve(refused.state, request({ confirmation: token }), 2_000).value.ok).toBe(true);
  });
});

describe("the ledger's daily spend", () => {
  const limits = { dailySpend: 0.3 };

  it("reserves each send's quote and refuses what would pass the limit, to the cent", () => {
    let state = emptyState();
    for (const id of ["a", "b", "c"]) {
      const step = reserve(state, request({ id, fingerprint: id, amount: 0.1, limits }), 0);
      expect(step.value.ok, id).toBe(true);
      state = step.state;
    }
    expect(
      reserve(state, request({ id: "d", fingerprint: "d", amount: 0.0001, limits }), 0).value,
    ).toMatchObject({
      refusal: { kind: "daily_spend", limit: 0.3, used: 0.3, requested: 0.0001 },
    });
  });

  it("settles with the real price; maybe_sent keeps the quote; not_sent frees it all", () => {
    const reserved = reserve(emptyState(), request({ id: "a", amount: 0.3, limits }), 0).state;
    const next = request({ id: "b", fingerprint: "b", amount: 0.2, limits });
    expect(reserve(reserved, next, 1).value.ok).toBe(false);
    const sent = settle(reserved, "a", { outcome: "sent", amount: 0.1 }, 1).state;
    expect(reserve(sent, next, 2).value.ok).toBe(true);
    const maybe = settle(reserved, "a", { outcome: "maybe_sent", amount: 0.1 }, 1).state;
    expect(reserve(maybe, next, 2).value).toMatchObject({ refusal: { used: 0.3 } });
    const released = settle(reserved, "a", { outcome: "not_sent" }, 1).state;
    expect(reserve(released, request({ id: "c", amount: 0.3, limits }), 2).value.ok).toBe(true);
  });
});
