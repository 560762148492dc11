/**
 * One set of rules on every engine: the same scenarios against memory (SQLite :memory:), SQLite
 * in a state directory and Redis, each step called with the time it runs at (Redis here takes
 * the caller's clock instead of its own TIME, so the scenarios can move time).
 */
import { afterAll, describe, expect, it } from "vitest";
import type { ReserveRequest } from "../src/state/ledger.js";
import { type AuditRecord, type SendStateEngine, SendStore } from "../src/state/store.js";
import { engineKinds } from "./support/engines.js";

const DAY = 86_400_000;
const request = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  id: "r1",
  tag: "t1",
  fingerprint: "f1",
  duplicateWindowMs: 600_000,
  messages: 1,
  limits: {},
  ...over,
});
const token = { token: "token-123", payload: "payload-a" };
const issueRequest = { token: "token-123", payload: "payload-a", channel: "sms", ttlMs: 600_000 };

for (const kind of engineKinds()) {
  describe.skipIf(kind.skip !== undefined)(
    `the ${kind.name} engine${kind.skip ? ` (skipped: ${kind.skip})` : ""}`,
    () => {
      const open: SendStateEngine[] = [];
      afterAll(async () => {
        await Promise.all(open.map((engine) => engine.close()));
        await kind.stop();
      });
      const make = async () => {
        const made = await kind.make();
        open.push(made.engine);
        const reopen = made.reopen;
        return {
          ...made,
          reopen: reopen
            ? () => {
                const engine = reopen();
                open.push(engine);
                return engine;
              }
            : undefined,
        };
      };

      it("keeps a rolling 24-hour count and refuses past the daily limit", async () => {
        const { engine } = await make();
        const limits = { dailyMessages: 10 };
        expect(await engine.reserve(request({ id: "a", messages: 8, limits }), 1)).toEqual({
          ok: true,
        });
        expect(
          await engine.reserve(request({ id: "b", fingerprint: "f2", messages: 3, limits }), 1000),
        ).toMatchObject({
          ok: false,
          refusal: { kind: "daily_messages", limit: 10, used: 8, requested: 3 },
        });
        const next = request({ id: "c", fingerprint: "f3", messages: 3, limits });
        expect(await engine.reserve(next, DAY + 2)).toEqual({ ok: true });
      });

      it("sums settled usage by five minutes, counting each slot until its last send is a day old", async () => {
        const { engine } = await make();
        const limits = { dailyMessages: 1000, dailySpend: 100 };
        // 300 sends over ten minutes, at the real counts on settling (2 messages, 0.16 each).
        for (let i = 0; i < 300; i++) {
          const id = `s${i}`;
          const at = i * 2000;
          const one = request({ id, fingerprint: id, messages: 1, amount: 0.08, limits });
          expect((await engine.reserve(one, at)).ok).toBe(true);
          await engine.settle(id, { outcome: "sent", messages: 2, amount: 0.16 }, at + 500);
        }
        const probe = (at: number, over: Partial<ReserveRequest["limits"]>) =>
          engine.reserve(
            request({
              id: `p${at}`,
              fingerprint: `p${at}`,
              amount: 0.08,
              limits: { ...limits, ...over },
            }),
            at,
          );
        expect(await probe(600_000, { dailyMessages: 600 })).toMatchObject({
          refusal: { kind: "daily_messages", used: 600 },
        });
        expect(await probe(600_001, { dailySpend: 48 })).toMatchObject({
          refusal: { kind: "daily_spend", used: 48 },
        });
        expect(await probe(DAY + 297_999, { dailyMessages: 600 })).toMatchObject({
          refusal: { kind: "daily_messages", used: 600 },
        });
        expect(await probe(DAY + 298_000, { dailyMessages: 300 })).toMatchObject({
          refusal: { kind: "daily_messages", used: 300 },
        });
        expect(await probe(DAY + 598_000, { dailyMessages: 1 })).toEqual({ ok: true });
      });

      it("releases what a send that did not happen took, and keeps what may have been sent", async () => {
        const { engine } = await make();
        const limits = { dailyMessages: 1 };
        await engine.reserve(request({ key: "k", limits }), 0);
        const again = (id: string) => request({ id, key: "k", limits });
        expect(await engine.reserve(again("r2"), 1)).toMatchObject({
          refusal: { kind: "key_in_progress" },
        });
        await engine.settle("r1", { outcome: "not_sent" }, 2);
        expect(await engine.reserve(again("r3"), 3)).toEqual({ ok: true });
        await engine.settle("r3", { outcome: "maybe_sent" }, 4);
        const other = request({ id: "r4", fingerprint: "other", limits });
        expect(await engine.reserve(other, 5)).toMatchObject({
          refusal: { kind: "daily_messages", used: 1 },
        });
        expect(await engine.reserve(again("r5"), 5)).toMatchObject({
          refusal: { kind: "key_maybe_sent", interrupted: false },
        });
      });

      it("replays a sent key's result, refuses it for other content, and counts what was really sent", async () => {
        const { engine } = await make();
        await engine.reserve(request({ key: "k", messages: 5 }), 0);
        await engine.settle("r1", { outcome: "sent", messages: 2, result: { queued_count: 2 } }, 1);
        expect(await engine.reserve(request({ id: "r2", key: "k" }), 2)).toMatchObject({
          refusal: { kind: "key_replay", result: { queued_count: 2 } },
        });
        expect(
          await engine.reserve(request({ id: "r2", key: "k", fingerprint: "f9" }), 2),
        ).toMatchObject({
          refusal: { kind: "key_other_send" },
        });
        const limited = request({
          id: "r3",
          fingerprint: "f3",
          messages: 8,
          limits: { dailyMessages: 10 },
        });
        expect(await engine.reserve(limited, 2)).toEqual({ ok: true });
      });

      it("refuses identical content only within the window, and not at all with window 0", async () => {
        const { engine } = await make();
        await engine.reserve(request(), 0);
        expect(await engine.reserve(request({ id: "r2" }), 1)).toMatchObject({
          refusal: { kind: "duplicate", pending: true, interrupted: false },
        });
        expect(await engine.reserve(request({ id: "r3", duplicateWindowMs: 0 }), 1)).toEqual({
          ok: true,
        });
        expect(await engine.reserve(request({ id: "r4" }), 600_001)).toEqual({ ok: true });
      });

      it("refuses a send when any of its contents (recipient and text) went within the window", async () => {
        const { engine } = await make();
        await engine.reserve(request({ contents: ["to-a", "to-b"] }), 0);
        const wider = (id: string) =>
          request({ id, fingerprint: `w${id}`, contents: ["to-c", "to-b", "to-d"] });
        expect(await engine.reserve(wider("r2"), 1)).toMatchObject({
          refusal: { kind: "duplicate", matched: ["to-b"], pending: true },
        });
        await engine.settle("r1", { outcome: "not_sent" }, 2);
        expect(await engine.reserve(wider("r3"), 3)).toEqual({ ok: true });
        await engine.settle("r3", { outcome: "sent" }, 4);
        expect(
          await engine.reserve(
            request({ id: "r4", fingerprint: "x", contents: ["to-d", "to-c"] }),
            5,
          ),
        ).toMatchObject({
          refusal: {
            kind: "duplicate",
            matched: ["to-d", "to-c"],
            pending: false,
            interrupted: false,
          },
        });
      });

      it("accepts an issued confirmation once, for its payload, before it expires", async () => {
        const { engine } = await make();
        await engine.issue(issueRequest, 1_000);
        expect(
          await engine.reserve(request({ confirmation: { ...token, payload: "b" } }), 2_000),
        ).toMatchObject({
          refusal: { kind: "confirmation_mismatch", channel: "sms" },
        });
        // A refusal by another rule takes nothing: the token stays usable.
        const limited = request({ confirmation: token, messages: 5, limits: { dailyMessages: 4 } });
        expect(await engine.reserve(limited, 2_000)).toMatchObject({
          refusal: { kind: "daily_messages" },
        });
        expect(
          await engine.reserve(request({ confirmation: { ...token, token: "other" } }), 2_000),
        ).toMatchObject({
          refusal: { kind: "confirmation_unknown" },
        });
        expect(await engine.reserve(request({ confirmation: token }), 2_000)).toEqual({ ok: true });
        expect(
          await engine.reserve(
            request({ id: "r2", fingerprint: "f2", confirmation: token }),
            3_000,
          ),
        ).toMatchObject({
          refusal: { kind: "confirmation_used", at: 2_000 },
        });
      });

      it("refuses an expired confirmation at its TTL", async () => {
        const { engine } = await make();
        await engine.issue(issueRequest, 1_000);
        await engine.issue({ ...issueRequest, token: "t2" }, 1_000);
        expect(await engine.reserve(request({ confirmation: token }), 600_999)).toEqual({
          ok: true,
        });
        const late = request({
          id: "r2",
          fingerprint: "f2",
          confirmation: { ...token, token: "t2" },
        });
        expect(await engine.reserve(late, 601_000)).toMatchObject({
          refusal: { kind: "confirmation_expired", until: 601_000 },
        });
      });

      it("a person's no spends the question's token and stands against the payload until its TTL", async () => {
        const { engine } = await make();
        const asked = { token: "q1", payload: "args-a", channel: "sms", ttlMs: 600_000 };
        await engine.issue(asked, 1_000);
        await engine.issue(issueRequest, 1_500);
        await engine.decline({ token: "q1", payload: "payload-a", ttlMs: 600_000 }, 2_000);
        // The declined question's token cannot be accepted afterwards.
        const accepted = request({
          confirmation: { token: "q1", payload: "args-a" },
          payload: "payload-a",
          answered: true,
        });
        expect(await engine.reserve(accepted, 3_000)).toMatchObject({
          refusal: { kind: "confirmation_used", at: 2_000 },
        });
        // A preview's confirmation, or none, does not route around the no.
        for (const routed of [
          request({ confirmation: token, payload: "payload-a" }),
          request({ payload: "payload-a" }),
          request({ confirmation: token, payload: "payload-a", answered: true }),
        ]) {
          expect(await engine.reserve(routed, 3_000)).toMatchObject({
            refusal: { kind: "declined", at: 2_000, until: 602_000 },
          });
        }
        // Another payload is not affected.
        expect(
          await engine.reserve(
            request({ id: "other", fingerprint: "f9", payload: "payload-b" }),
            3_000,
          ),
        ).toEqual({ ok: true });
        // Asked again after the no, the person's yes sends once and lifts the no.
        await engine.issue({ ...asked, token: "q2" }, 4_000);
        const again = request({
          id: "r2",
          fingerprint: "f2",
          confirmation: { token: "q2", payload: "args-a" },
          payload: "payload-a",
          answered: true,
        });
        expect(await engine.reserve(again, 5_000)).toEqual({ ok: true });
        expect(await engine.reserve({ ...again, id: "r3" }, 5_001)).toMatchObject({
          refusal: { kind: "confirmation_used" },
        });
        expect(
          await engine.reserve(
            request({ id: "r4", fingerprint: "f4", payload: "payload-a" }),
            5_002,
          ),
        ).toEqual({ ok: true });
      });

      it("spends a preview's confirmation passed along with an answer, and names it when refused", async () => {
        const { engine } = await make();
        await engine.issue({ ...issueRequest, token: "q1", payload: "args-a" }, 1_000);
        await engine.issue(issueRequest, 1_000);
        const answered = {
          confirmation: { token: "q1", payload: "args-a" },
          preview: token,
          payload: "payload-a",
          answered: true,
        };
        // A preview of another payload is refused as the preview's, and spends neither token.
        expect(
          await engine.reserve(
            request({ ...answered, preview: { ...token, payload: "b" } }),
            2_000,
          ),
        ).toMatchObject({ refusal: { kind: "confirmation_mismatch", preview: true } });
        expect(await engine.reserve(request(answered), 2_000)).toEqual({ ok: true });
        // Both are spent: the preview's confirmation cannot confirm a second send.
        expect(
          await engine.reserve(
            request({ id: "r2", fingerprint: "f2", confirmation: token }),
            3_000,
          ),
        ).toMatchObject({ refusal: { kind: "confirmation_used", at: 2_000 } });
      });

      it("a no lapses at its TTL", async () => {
        const { engine } = await make();
        await engine.issue({ ...issueRequest, token: "q1" }, 0);
        await engine.decline({ token: "q1", payload: "payload-a", ttlMs: 1_000 }, 0);
        expect(await engine.reserve(request({ payload: "payload-a" }), 999)).toMatchObject({
          refusal: { kind: "declined" },
        });
        expect(await engine.reserve(request({ payload: "payload-a" }), 1_000)).toEqual({
          ok: true,
        });
      });

      it("one accepted answer reserves once across parallel calls and instances", async () => {
        const made = await make();
        const engines = made.reopen ? [made.engine, made.reopen(), made.reopen()] : [made.engine];
        await made.engine.issue({ ...issueRequest, token: "q1", payload: "args-a" }, 10);
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (engines[i % engines.length] as SendStateEngine).reserve(
              request({
                id: `a${i}`,
                fingerprint: `a${i}`,
                confirmation: { token: "q1", payload: "args-a" },
                payload: "payload-a",
                answered: true,
              }),
              20,
            ),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      });

      it("reserves each send's quote and refuses what would pass the spend limit, to the cent", async () => {
        const { engine } = await make();
        const limits = { dailySpend: 0.3 };
        for (const id of ["a", "b", "c"]) {
          expect(
            await engine.reserve(request({ id, fingerprint: id, amount: 0.1, limits }), 0),
          ).toEqual({ ok: true });
        }
        expect(
          await engine.reserve(request({ id: "d", fingerprint: "d", amount: 0.0001, limits }), 0),
        ).toMatchObject({
          refusal: { kind: "daily_spend", limit: 0.3, used: 0.3, requested: 0.0001 },
        });
      });

      it("settles with the real price; maybe_sent keeps the quote; not_sent frees it all", async () => {
        const { engine } = await make();
        const limits = { dailySpend: 0.3 };
        const next = (id: string, amount: number) =>
          request({ id, fingerprint: id, amount, limits });
        await engine.reserve(next("a", 0.3), 0);
        expect((await engine.reserve(next("b", 0.2), 1)).ok).toBe(false);
        await engine.settle("a", { outcome: "sent", amount: 0.1 }, 1);
        expect(await engine.reserve(next("c", 0.2), 2)).toEqual({ ok: true });
        await engine.settle("c", { outcome: "maybe_sent", amount: 0.05 }, 3);
        expect(await engine.reserve(next("d", 0.01), 4)).toMatchObject({ refusal: { used: 0.3 } });
        await engine.reserve(next("e", 0), 4);
        await engine.settle("e", { outcome: "not_sent" }, 5);
        expect(await engine.reserve(next("f", 0.01), 6)).toMatchObject({ refusal: { used: 0.3 } });
      });

      it("forgets keys, windows, confirmations and counts after a day, and only then", async () => {
        const { engine } = await make();
        const limits = { dailyMessages: 1 };
        await engine.issue(issueRequest, 0);
        await engine.reserve(request({ key: "k", confirmation: token, limits }), 0);
        await engine.settle("r1", { outcome: "sent", result: { ok: 1 } }, 1);
        const again = (id: string, at: number) =>
          engine.reserve(request({ id, key: "k", confirmation: token, limits }), at);
        expect(await again("r2", DAY - 1)).toMatchObject({ refusal: { kind: "key_replay" } });
        expect(await again("r3", DAY + 1)).toMatchObject({
          refusal: { kind: "confirmation_unknown" },
        });
        expect(await engine.reserve(request({ id: "r4", key: "k", limits }), DAY + 1)).toEqual({
          ok: true,
        });
      });

      it("never keeps a key, a token or a fingerprint's source in clear", async () => {
        const made = await make();
        await made.engine.issue(issueRequest, 0);
        await made.engine.reserve(request({ key: "my-secret-key", confirmation: token }), 0);
        const stored = await made.stored();
        expect(stored).not.toContain("my-secret-key");
        expect(stored).not.toContain("token-123");
      });

      it("parallel reservations stop exactly at the message and spend limits", async () => {
        const made = await make();
        const engines = made.reopen ? [made.engine, made.reopen(), made.reopen()] : [made.engine];
        const limits = { dailyMessages: 7, dailySpend: 100 };
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (engines[i % engines.length] as SendStateEngine).reserve(
              request({ id: `m${i}`, fingerprint: `m${i}`, limits }),
              10,
            ),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(7);
        const spend = { dailySpend: 0.5 };
        const spent = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (engines[i % engines.length] as SendStateEngine).reserve(
              request({ id: `s${i}`, fingerprint: `s${i}`, amount: 0.07, limits: spend }),
              10,
            ),
          ),
        );
        expect(spent.filter((r) => r.ok)).toHaveLength(7);
        const keyed = await Promise.all(
          engines.flatMap((engine, e) =>
            [0, 1, 2].map((i) =>
              engine.reserve(request({ id: `k${e}${i}`, key: "one", fingerprint: "k" }), 11),
            ),
          ),
        );
        expect(keyed.filter((r) => r.ok)).toHaveLength(1);
      });

      it("one person's parallel reservations across instances stop exactly at their limits", async () => {
        const made = await make();
        const engines = made.reopen ? [made.engine, made.reopen(), made.reopen()] : [made.engine];
        const on = (i: number) => engines[i % engines.length] as SendStateEngine;
        const ana = { sub: "ana", dailyMessages: 5 };
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            on(i).reserve(request({ id: `m${i}`, fingerprint: `m${i}`, person: ana }), 10),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(5);
        expect(results.find((r) => !r.ok)).toMatchObject({
          refusal: { kind: "person_daily_messages", limit: 5, used: 5, requested: 1 },
        });
        const bo = { sub: "bo", dailySpend: 0.35 };
        const spent = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            on(i).reserve(
              request({ id: `s${i}`, fingerprint: `s${i}`, amount: 0.07, person: bo }),
              10,
            ),
          ),
        );
        expect(spent.filter((r) => r.ok)).toHaveLength(5);
        expect(spent.find((r) => !r.ok)).toMatchObject({
          refusal: { kind: "person_daily_spend", limit: 0.35, used: 0.35, requested: 0.07 },
        });
      });

      it("gives each person their own allowance, and the account's limit still caps their sum", async () => {
        const { engine } = await make();
        const limits = { dailyMessages: 5 };
        const as = (sub: string, id: string) =>
          engine.reserve(
            request({ id, fingerprint: id, limits, person: { sub, dailyMessages: 3 } }),
            10,
          );
        for (const id of ["a1", "a2", "a3"]) expect(await as("ana", id)).toEqual({ ok: true });
        expect(await as("ana", "a4")).toMatchObject({
          refusal: { kind: "person_daily_messages", limit: 3, used: 3 },
        });
        for (const id of ["b1", "b2"]) expect(await as("bo", id)).toEqual({ ok: true });
        // Bo has one left of their own, but the account's five are taken.
        expect(await as("bo", "b3")).toMatchObject({
          refusal: { kind: "daily_messages", limit: 5, used: 5 },
        });
      });

      it("gives a person's count back when a send did not happen, and counts what was really sent", async () => {
        const { engine } = await make();
        const ana = { sub: "ana", dailyMessages: 2 };
        const next = (id: string, messages: number, at: number) =>
          engine.reserve(request({ id, fingerprint: id, messages, person: ana }), at);
        expect(await next("a", 2, 0)).toEqual({ ok: true });
        expect(await next("b", 1, 1)).toMatchObject({
          refusal: { kind: "person_daily_messages", used: 2 },
        });
        await engine.settle("a", { outcome: "not_sent" }, 2);
        expect(await next("c", 2, 3)).toEqual({ ok: true });
        await engine.settle("c", { outcome: "sent", messages: 1 }, 4);
        expect(await next("d", 1, 5)).toEqual({ ok: true });
        await engine.settle("d", { outcome: "maybe_sent" }, 6);
        expect(await next("e", 1, 7)).toMatchObject({
          refusal: { kind: "person_daily_messages", used: 2 },
        });
        // The same rolling day as the account's: c and d share a five-minute slot, counted until
        // its latest send (d, reserved at 5) is a day old.
        expect(await next("f", 2, DAY + 4)).toMatchObject({
          refusal: { kind: "person_daily_messages", used: 2 },
        });
        expect(await next("g", 2, DAY + 5)).toEqual({ ok: true });
      });

      it("without a person only the account's limits apply; with one, sends count before a limit is set", async () => {
        const made = await make();
        const { engine } = made;
        for (const id of ["n1", "n2", "n3"]) {
          expect(await engine.reserve(request({ id, fingerprint: id }), 10)).toEqual({ ok: true });
        }
        const ana = { sub: "ana-sub-in-clear", dailyMessages: 1 };
        expect(
          await engine.reserve(request({ id: "a1", fingerprint: "a1", person: ana }), 10),
        ).toEqual({ ok: true });
        expect(
          await engine.reserve(
            request({ id: "n4", fingerprint: "n4", limits: { dailyMessages: 4 } }),
            10,
          ),
        ).toMatchObject({ refusal: { kind: "daily_messages", used: 4 } });
        // Bo sent twice with no limit of their own: a limit set then counts those two.
        const bo = { sub: "bo" };
        await engine.reserve(request({ id: "b1", fingerprint: "b1", person: bo }), 10);
        await engine.reserve(request({ id: "b2", fingerprint: "b2", person: bo }), 10);
        expect(
          await engine.reserve(
            request({ id: "b3", fingerprint: "b3", person: { ...bo, dailyMessages: 2 } }),
            10,
          ),
        ).toMatchObject({ refusal: { kind: "person_daily_messages", used: 2 } });
        expect(await made.stored()).not.toContain("ana-sub-in-clear");
      });

      it.skipIf(kind.name === "memory")(
        "keeps everything across a restart, and reads a send its process left unsettled as maybe sent",
        async () => {
          const made = await make();
          const reopen = made.reopen as () => SendStateEngine;
          const first = reopen();
          await first.reserve(
            request({ id: "gone", key: "k", contents: ["to-a"], limits: { dailyMessages: 2 } }),
            0,
          );
          // The process stops mid-send: its reservation is never settled.
          await first.close();
          const later = reopen();
          expect(
            await later.reserve(request({ id: "r2", key: "k", contents: ["to-a"] }), 1),
          ).toMatchObject({
            refusal: { kind: "key_maybe_sent", interrupted: true, tag: "t1" },
          });
          expect(
            await later.reserve(request({ id: "r3", fingerprint: "f3", contents: ["to-a"] }), 1),
          ).toMatchObject({
            refusal: { kind: "duplicate", pending: false, interrupted: true },
          });
          expect(
            await later.reserve(
              request({ id: "r4", fingerprint: "f4", messages: 2, limits: { dailyMessages: 2 } }),
              1,
            ),
          ).toMatchObject({ refusal: { kind: "daily_messages", used: 1 } });
        },
      );

      it("keeps the latest record of each send, in first-recorded order, a page at a time, for 7 days", async () => {
        const { engine } = await make();
        const record = (
          id: string,
          at: string,
          outcome: AuditRecord["outcome"] = "pending",
        ): AuditRecord => ({
          id,
          at,
          tool: "send_sms",
          tag: "t",
          outcome,
          recipients: 1,
        });
        for (let i = 0; i < 5; i++)
          await engine.appendAudit(record(`s${i}`, `2026-11-01T10:00:0${i}Z`));
        await engine.appendAudit(record("s1", "2026-11-01T10:00:01Z", "sent"));
        const first = await engine.readAudit("2026-11-01", { limit: 2 });
        expect(first.records.map((r) => [r.id, r.outcome])).toEqual([
          ["s0", "pending"],
          ["s1", "sent"],
        ]);
        const second = await engine.readAudit("2026-11-01", {
          after: first.next as string,
          limit: 2,
        });
        const third = await engine.readAudit("2026-11-01", {
          after: second.next as string,
          limit: 2,
        });
        expect([...second.records, ...third.records].map((r) => r.id)).toEqual(["s2", "s3", "s4"]);
        expect(third.next).toBeUndefined();
        // 2026-11-08 keeps 11-02 to 11-08.
        await engine.appendAudit(record("later", "2026-11-08T10:00:00Z"));
        expect((await engine.readAudit("2026-11-01", { limit: 10 })).records).toEqual([]);
        expect((await engine.readAudit("2026-11-08", { limit: 10 })).records).toHaveLength(1);
      });

      it("keeps opt-out marks until their time, extends them when marked again, and shares them", async () => {
        const made = await make();
        const { engine } = made;
        const ttl = 400 * DAY;
        await engine.markOptedOut(["h1", "h2"], ttl, 1_000);
        expect(await engine.optedOut(["h1", "h3", "h2"], 2_000)).toEqual(new Set(["h1", "h2"]));
        expect(await engine.optedOut(["h3"], 2_000)).toEqual(new Set());
        // Marked again later: h2's mark now ends a day after h1's.
        await engine.markOptedOut(["h2"], ttl, 1_000 + DAY);
        expect(await engine.optedOut(["h1", "h2"], 1_000 + ttl - 1)).toEqual(new Set(["h1", "h2"]));
        expect(await engine.optedOut(["h1", "h2"], 1_000 + ttl)).toEqual(new Set(["h2"]));
        // A shorter mark never cuts a longer one short.
        await engine.markOptedOut(["h2"], 10, 1_000 + ttl);
        expect(await engine.optedOut(["h2"], 1_000 + ttl + 20)).toEqual(new Set(["h2"]));
        expect(await engine.optedOut(["h2"], 1_000 + DAY + ttl)).toEqual(new Set());
        if (made.reopen) {
          await made.reopen().markOptedOut(["h4"], ttl, 5_000);
          expect(await engine.optedOut(["h4"], 6_000)).toEqual(new Set(["h4"]));
        }
      });

      it("looks up a thousand numbers' marks in one step, and keeps no number in clear", async () => {
        const made = await make();
        const store = new SendStore(made.engine, () => 1_000, "acct");
        const numbers = Array.from(
          { length: 1000 },
          (_, i) => `+614005${String(i).padStart(5, "0")}`,
        );
        await store.markOptedOut(numbers.filter((_, i) => i % 100 === 7));
        const found = await store.optedOut(numbers);
        expect([...found].sort()).toEqual(numbers.filter((_, i) => i % 100 === 7));
        // Another account's store on the same engine does not see them.
        expect(await new SendStore(made.engine, () => 1_000, "other").optedOut(numbers)).toEqual(
          new Set(),
        );
        const stored = await made.stored();
        expect(stored).not.toContain("400500007");
        expect(stored).not.toContain("+61400500107");
      });
    },
  );
}
