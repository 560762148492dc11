/**
 * Send safety under parallel calls and across stores: every send reserves its key, its content
 * and its count atomically before the request leaves, and settles by outcome.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { answerWith } from "../sandbox/replies.js";
import { readAuditResource } from "../src/sending/audit.js";
import { memoryEngine } from "../src/state/memory.js";
import { stateDirEngine } from "../src/state/open.js";
import { dayOf, SendStore } from "../src/state/store.js";
import { updateContact } from "../tools/contacts.js";
import { listInboundSms } from "../tools/replies.js";
import { listSmsHistory, sendSms } from "../tools/sms.js";
import { holdClock, moveClock } from "./support/deadline.js";
import { type Harness, harness } from "./support/harness.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, textOf } from "./support/results.js";
import { HANG_MS, until, within } from "./support/wait.js";

const setup = harnessPerTest();

const stores = {
  memory: () => new SendStore(memoryEngine()),
  sqlite: () => new SendStore(stateDirEngine(mkdtempSync(join(tmpdir(), "cs-state-")), "test")),
};

const posted = (h: Harness) => h.sandbox.requests.filter((r) => r.path === "sms/send");
const sms = (to: string, body: string) => ({ messages: [{ to, body }] });

describe.each(Object.entries(stores))("with the %s store", (_kind, makeStore) => {
  it("12 parallel sends under a daily limit of 3: exactly 3 are sent", async () => {
    const h = await setup({ dailyMessageLimit: 3 }, makeStore());
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.call(sendSms, sms("+61411111111", `m${i}`))),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(3);
    expect(posted(h)).toHaveLength(3);
    const refused = results.filter((r) => r.isError).map(textOf);
    expect(refused.every((t) => t.includes("CLICKSEND_DAILY_MESSAGE_LIMIT"))).toBe(true);
    expect(refused.every((t) => t.includes("Nothing was sent."))).toBe(true);
    // Once all have settled (into one five-minute slot), the day's count is still exactly 3.
    expect(textOf(await h.call(sendSms, sms("+61411111111", "after")))).toContain(
      "3 were sent in the last 24 hours",
    );
    expect(posted(h)).toHaveLength(3);
  });

  it("10 parallel calls with one key: one request to ClickSend, the others told why", async () => {
    const h = await setup({}, makeStore());
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call(sendSms, { ...sms("+61411111111", "once"), idempotency_key: "order-1" }),
      ),
    );
    expect(posted(h)).toHaveLength(1);
    for (const result of results.filter((r) => r.isError)) {
      expect(textOf(result)).toMatch(/is in progress|nothing was sent again/);
    }
  });
});

describe("reservations", () => {
  /**
   * The first send's request is held at the sandbox (a delay on the held clock, well short of
   * the client's deadline) until the test moves the clock: it is in flight for as long as the
   * test needs, however slow the machine.
   */
  const HELD_MS = 1000;
  const inFlight = async (h: Harness, first: () => Promise<CallToolResult>) => {
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "delay", ms: HELD_MS } });
    holdClock();
    const call = first();
    await until("the first send to reach the sandbox", () => posted(h).length === 1);
    return {
      /** Lets the sandbox answer the first send; resolves with its result. */
      answered: () => {
        moveClock(HELD_MS);
        return within(HANG_MS, "the first send", call);
      },
    };
  };

  it("a keyed retry while the first call is in flight is answered 'in progress', never sent", async () => {
    const h = await setup({});
    const first = await inFlight(h, () =>
      h.call(sendSms, { ...sms("+61411111111", "slow"), idempotency_key: "k" }),
    );
    const retry = await h.call(sendSms, { ...sms("+61411111111", "slow"), idempotency_key: "k" });
    expect(retry.isError).toBe(true);
    expect(textOf(retry)).toContain("is in progress: the first call with this key");
    expect((await first.answered()).isError).toBeFalsy();
    expect(posted(h)).toHaveLength(1);
    const replay = await h.call(sendSms, { ...sms("+61411111111", "slow"), idempotency_key: "k" });
    expect(dataOf(replay).replayed).toContain("nothing was sent again");
    expect(posted(h)).toHaveLength(1);
  });

  it("an identical send in flight is refused, even with a different key", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    const first = await inFlight(h, () =>
      h.call(sendSms, { ...sms("+61411111111", "same"), idempotency_key: "a" }),
    );
    const second = await h.call(sendSms, { ...sms("+61411111111", "same"), idempotency_key: "b" });
    expect(textOf(second)).toContain("has not finished");
    expect((await first.answered()).isError).toBeFalsy();
    expect(posted(h)).toHaveLength(1);
  });

  it("not_sent releases the reservation: a refused send does not use up the limit", async () => {
    const h = await setup({ dailyMessageLimit: 1 });
    h.sandbox.faults.inject({
      path: "sms/send",
      fault: { type: "status", status: 400, body: { response_code: "BAD_REQUEST" } },
    });
    const refused = await h.call(sendSms, sms("+61411111111", "a"));
    expect(textOf(refused)).toContain("Nothing was sent");
    const next = await h.call(sendSms, sms("+61411111111", "b"));
    expect(next.isError).toBeFalsy();
  });

  it("maybe_sent keeps the reservation: the next send is refused by a limit of 1", async () => {
    const h = await setup({ dailyMessageLimit: 1 });
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "drop_after" } });
    const unknown = await h.call(sendSms, sms("+61411111111", "a"));
    expect(textOf(unknown)).toContain("may already have been delivered");
    const next = await h.call(sendSms, sms("+61411111111", "b"));
    expect(textOf(next)).toContain("1 were sent in the last 24 hours");
    expect(posted(h)).toHaveLength(1);
  });
});

describe("guarded list sends", () => {
  it("a list edited during a guarded send never reaches a number the guard did not pass", async () => {
    const h = await setup({ allowedRecipients: ["+61*"] });
    const list = h.sandbox.state.lists[0];
    const member = h.sandbox.state.contacts.find((c) => c.list_id === list?.list_id);
    if (!list || !member) throw new Error("the sandbox has no list with contacts");
    for (let round = 0; round < 10; round++) {
      member.phone_number = "+61411111111";
      const [sent] = await Promise.all([
        h.call(sendSms, { messages: [{ list_id: list.list_id, body: `round ${round}` }] }),
        h.call(updateContact, {
          list_id: list.list_id,
          contact_id: member.contact_id,
          phone_number: "+14155552671",
        }),
      ]);
      if (!sent.isError) expect(dataOf(sent).lists_expanded).toContain(`list ${list.list_id}`);
    }
    const numbers = posted(h).flatMap(
      (r) => (r.body as { messages: Array<{ to?: string; list_id?: number }> }).messages,
    );
    expect(numbers.every((m) => m.list_id === undefined)).toBe(true);
    expect(numbers.some((m) => m.to?.startsWith("+1"))).toBe(false);
    const delivered = h.sandbox.state.messages.map((m) => m.to);
    expect(delivered.some((to) => to.startsWith("+1"))).toBe(false);
  });

  it("checks contacts in their normalised form (a local number with its country)", async () => {
    const h = await setup({ allowedRecipients: ["+61411111111"] });
    const list = h.sandbox.state.lists[0];
    if (!list) throw new Error("no list");
    for (const contact of h.sandbox.state.contacts.filter((c) => c.list_id === list.list_id)) {
      contact.phone_number = "0411111111";
      contact.address_country = "AU";
    }
    const result = await h.call(sendSms, { messages: [{ list_id: list.list_id, body: "hi" }] });
    expect(result.isError).toBeFalsy();
    const sent = posted(h)[0]?.body as { messages: Array<{ to: string }> };
    expect(new Set(sent.messages.map((m) => m.to))).toEqual(new Set(["+61411111111"]));
  });
});

describe("the SQLite store", () => {
  it("two stores on one directory share the daily limit and the keys (two processes' view)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-state-"));
    const a = await harness({
      sending: { dailyMessageLimit: 2 },
      store: new SendStore(stateDirEngine(dir, "acct")),
    });
    const b = await harness({
      sending: { dailyMessageLimit: 2 },
      store: new SendStore(stateDirEngine(dir, "acct")),
    });
    try {
      expect((await a.call(sendSms, sms("+61411111111", "a1"))).isError).toBeFalsy();
      expect((await b.call(sendSms, sms("+61411111111", "b1"))).isError).toBeFalsy();
      const third = await a.call(sendSms, sms("+61411111111", "a2"));
      expect(textOf(third)).toContain("2 were sent in the last 24 hours");
      const other = await harness({
        sending: { dailyMessageLimit: 2 },
        store: new SendStore(stateDirEngine(dir, "another-account")),
      });
      expect((await other.call(sendSms, sms("+61411111111", "c1"))).isError).toBeFalsy();
      await other.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a STOP reply read by one process refuses the next send from another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-state-"));
    const a = await harness({ store: new SendStore(stateDirEngine(dir, "acct")) });
    const b = await harness({ store: new SendStore(stateDirEngine(dir, "acct")) });
    try {
      const stopper = "+61491572549";
      answerWith(a.sandbox.state, stopper, "Stop all");
      expect((await a.call(sendSms, sms(stopper, "Booking at 10"))).isError).toBeFalsy();
      const replies = dataOf<{ items: Array<{ opt_out?: boolean }> }>(
        await a.call(listInboundSms, { limit: 100 }),
      );
      expect(replies.items.map((i) => i.opt_out)).toEqual([true]);
      const refused = await b.call(sendSms, sms(stopper, "Reminder"));
      expect(textOf(refused)).toContain("(***549 replied an opt-out keyword)");
      expect(b.sandbox.requests.filter((r) => r.path === "sms/send")).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.each([
    [
      1,
      "DROP TABLE opted_out; DROP TABLE declined; DROP TABLE person_open; DROP TABLE person_usage",
    ],
    [3, "DROP TABLE person_open; DROP TABLE person_usage"],
  ])(
    "a database of schema %i gains what it lacks on opening; a newer one is refused",
    async (version, drop) => {
      const dir = mkdtempSync(join(tmpdir(), "cs-state-"));
      const file = join(dir, "acct.sqlite");
      const first = new SendStore(stateDirEngine(dir, "acct"));
      await first.record({
        id: "a",
        at: "2026-11-01T00:00:00Z",
        tool: "send_sms",
        tag: "t",
        outcome: "sent",
        recipients: 1,
      });
      await first.close();
      const { DatabaseSync } = await import("node:sqlite");
      const old = new DatabaseSync(file);
      old.exec(`${drop}; PRAGMA user_version = ${version}`);
      old.close();
      const upgraded = new SendStore(stateDirEngine(dir, "acct"));
      await upgraded.markOptedOut(["+61400555123"]);
      expect(await upgraded.optedOut(["+61400555123", "+61411111111"])).toEqual(
        new Set(["+61400555123"]),
      );
      expect(await upgraded.auditDay("2026-11-01")).toHaveLength(1);
      // The per-person counts (schema 4) work in the upgraded file.
      const reserve = (id: string) =>
        upgraded.reserve({
          id,
          tag: "t",
          fingerprint: id,
          duplicateWindowMs: 0,
          messages: 1,
          limits: {},
          person: { sub: "ana", dailyMessages: 1 },
        });
      expect(await reserve("p1")).toEqual({ ok: true });
      expect(await reserve("p2")).toMatchObject({
        refusal: { kind: "person_daily_messages", used: 1 },
      });
      await upgraded.close();
      const newer = new DatabaseSync(file);
      newer.exec("PRAGMA user_version = 5");
      newer.close();
      const refused = new SendStore(stateDirEngine(dir, "acct"));
      await expect(refused.optedOut(["+61400555123"])).rejects.toThrow(
        /newer clicksend-mcp \(schema 5\)/,
      );
      await refused.close();
    },
  );

  it("a corrupt state file refuses sends naming the file and the fix; reads keep working", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-state-"));
    writeFileSync(
      join(dir, "acct.sqlite"),
      "{not a database, not json, but long enough".repeat(50),
    );
    const h = await setup({}, new SendStore(stateDirEngine(dir, "acct")));
    const refused = await h.call(sendSms, sms("+61411111111", "x"));
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(join(dir, "acct.sqlite"));
    expect(textOf(refused)).toContain("Move it aside or delete it");
    expect(textOf(refused)).toContain("Nothing was sent");
    expect(posted(h)).toHaveLength(0);
    expect((await h.call(listSmsHistory, {})).isError).toBeFalsy();
  });

  it("keeps no message body, no full number and no key in clear on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-state-"));
    const h = await setup({ duplicateWindowS: 600 }, new SendStore(stateDirEngine(dir, "acct")));
    await h.call(sendSms, {
      ...sms("+61411111111", "secret body text"),
      idempotency_key: "order-secret",
    });
    const { readdirSync, readFileSync } = await import("node:fs");
    const disk = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), "utf8"))
      .join("\n");
    expect(disk).toContain("***111");
    expect(disk).not.toContain("secret body text");
    expect(disk).not.toContain("+61411111111");
    expect(disk).not.toContain("order-secret");
  });
});

describe.each(Object.entries(stores))("the %s store's audit resource", (_kind, makeStore) => {
  it("is read a page at a time: 100 sends, then the next page's URI", async () => {
    const store = makeStore();
    const day = dayOf(store.now());
    const at = new Date(store.now()).toISOString();
    for (let i = 0; i < 130; i++) {
      await store.record({
        id: `s${i}`,
        at,
        tool: "send_sms",
        tag: `t${i}`,
        outcome: "sent",
        recipients: 1,
      });
    }
    const read = async (uri: string) =>
      JSON.parse((await readAuditResource(uri, store)).text) as {
        count: number;
        sends: Array<{ tag: string }>;
        next?: string;
      };
    const first = await read("clicksend://sends/today");
    expect(first.count).toBe(100);
    expect(first.sends[0]?.tag).toBe("t0");
    expect(first.next).toMatch(new RegExp(`^clicksend://sends/${day}\\?after=\\d+$`));
    const second = await read(first.next as string);
    expect(second.sends.map((s) => s.tag)).toEqual(
      Array.from({ length: 30 }, (_, i) => `t${100 + i}`),
    );
    expect(second.next).toBeUndefined();
    await expect(readAuditResource(`clicksend://sends/${day}?after=x`, store)).rejects.toThrow(
      /after must be the cursor/,
    );
    await store.close();
  });
});
