import { describe, expect, it } from "vitest";
import { RefusedError } from "../src/errors.js";
import { SendLedger } from "../src/sending/dedupe.js";
import { SendGuard } from "../src/sending/guards.js";

const none = { listSizes: new Map<number, number>(), listNumbers: [] };

describe("SendGuard", () => {
  it("allows exact numbers and prefixes only", () => {
    const guard = new SendGuard({ allowedRecipients: ["+61*", "+447777777777"] });
    expect(() =>
      guard.check({ numbers: ["+61411111111", "+447777777777"], ...none }),
    ).not.toThrow();
    expect(() => guard.check({ numbers: ["+14055555555"], ...none })).toThrow(
      /CLICKSEND_ALLOWED_RECIPIENTS/,
    );
  });

  it("counts list members against the per-call cap and says how big the list is", () => {
    const guard = new SendGuard({ maxRecipientsPerCall: 5 });
    expect(() =>
      guard.check({ numbers: ["+61411111111"], listSizes: new Map([[42, 8]]), listNumbers: [] }),
    ).toThrow(/limit is 5 recipients per call and this call has 9 \(list 42 has 8 recipients\)/);
  });

  it("keeps a rolling 24-hour count", () => {
    let now = 0;
    const guard = new SendGuard({ dailyMessageLimit: 10 }, () => now);
    guard.record(8);
    expect(() => guard.check({ numbers: ["+61411111111", "+61422222222"], ...none })).not.toThrow();
    let error: unknown;
    try {
      guard.check({ numbers: ["+61411111111", "+61422222222", "+61433333333"], ...none });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain(
      "8 were sent in the last 24 hours and this call has 3",
    );
    now += 24 * 60 * 60 * 1000 + 1;
    expect(guard.sentToday()).toBe(0);
  });
});

describe("SendLedger", () => {
  it("remembers an idempotency key with its result and forgets sends that did not happen", () => {
    const ledger = new SendLedger<string>(600_000, () => 0);
    const first = ledger.begin({ key: "k1", fingerprint: "f1", tag: "t1" });
    first.sent("result-1");
    expect(ledger.findKey("k1")).toMatchObject({ outcome: "sent", result: "result-1" });
    const second = ledger.begin({ key: "k2", fingerprint: "f2", tag: "t2" });
    second.notSent();
    expect(ledger.findKey("k2")).toBeUndefined();
    expect(ledger.findDuplicate("f2")).toBeUndefined();
  });

  it("refuses identical content only within the window, and not at all with window 0", () => {
    let now = 0;
    const ledger = new SendLedger<string>(600_000, () => now);
    ledger.begin({ fingerprint: "f", tag: "t" }).sent("r");
    expect(ledger.findDuplicate("f")).toBeDefined();
    now = 600_001;
    expect(ledger.findDuplicate("f")).toBeUndefined();
    const off = new SendLedger<string>(0);
    off.begin({ fingerprint: "f", tag: "t" }).sent("r");
    expect(off.findDuplicate("f")).toBeUndefined();
  });
});
