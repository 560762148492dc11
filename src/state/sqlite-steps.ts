import type { DatabaseSync } from "node:sqlite";
import { StateStoreError } from "../errors.js";
import {
  contentsOf,
  DAY_MS,
  type DeclineRequest,
  fromUnits,
  type IssueRequest,
  keyHashOf,
  personKeyOf,
  type Refusal,
  type ReserveRequest,
  type ReserveResult,
  type Settlement,
  sha256,
  slotOf,
  toUnits,
  UNSETTLED_MS,
} from "./ledger.js";
import type { Writers } from "./sqlite-writers.js";
import type { AuditPage, AuditRecord } from "./store.js";

/** Expired rows deleted per table and step: a step's cost stays bounded after a burst. */
const EXPIRE_BATCH = 256;

interface KeyRow {
  at: number;
  id: string;
  fp: string;
  tag: string;
  outcome: string;
  result: string | null;
  owner: string | null;
}

interface RecentRow {
  fp: string;
  at: number;
  tag: string;
  settled: number;
  owner: string | null;
}

interface UsageRow {
  messages: number;
  amount: number;
  least: number | null;
}

function statements(db: DatabaseSync) {
  const prepare = (sql: string) => db.prepare(sql);
  const expire = (table: string, where: string) =>
    prepare(
      `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ${EXPIRE_BATCH})`,
    );
  const expireKeyed = (table: string, key: string, where: string) =>
    prepare(
      `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${EXPIRE_BATCH})`,
    );
  return {
    expireKeys: expireKeyed("keys", "hash", "at <= ?"),
    expireRecent: expire("recent", "until <= ?"),
    expireReservations: expireKeyed("reservations", "id", "at <= ?"),
    expireUsage: expire("usage", "at <= ?"),
    expireIssued: expireKeyed("issued", "hash", "at <= ?"),
    expireConfirmations: expireKeyed("confirmations", "hash", "at <= ?"),
    expireDeclined: expireKeyed("declined", "payload", "until <= ?"),
    expirePersonOpen: expireKeyed("person_open", "id", "at <= ?"),
    expirePersonUsage: expire("person_usage", "at <= ?"),
    key: prepare(
      `SELECT k.at, k.id, k.fp, k.tag, k.outcome, k.result, r.owner FROM keys k
       LEFT JOIN reservations r ON r.id = k.id WHERE k.hash = ? AND k.at > ?`,
    ),
    used: prepare("SELECT at FROM confirmations WHERE hash = ? AND at > ?"),
    issued: prepare(
      "SELECT at, until, payload, channel FROM issued WHERE hash = ? AND at > ? AND until >= at",
    ),
    declined: prepare("SELECT at, until FROM declined WHERE payload = ? AND until > ?"),
    decline: prepare("INSERT OR REPLACE INTO declined (payload, at, until) VALUES (?, ?, ?)"),
    lift: prepare("DELETE FROM declined WHERE payload = ?"),
    recent: prepare(
      `SELECT j.value AS fp, c.at, c.tag, c.settled, r.owner FROM json_each(?) j
       JOIN recent c ON c.fp = j.value LEFT JOIN reservations r ON r.id = c.id
       WHERE c.until > ? ORDER BY j.key`,
    ),
    usage: prepare(
      "SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(amount), 0) AS amount, MIN(MIN(messages), MIN(amount)) AS least FROM usage WHERE at > ?",
    ),
    reserved: prepare(
      "SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(amount), 0) AS amount, MIN(MIN(messages), MIN(amount)) AS least FROM reservations WHERE at > ?",
    ),
    reserve: prepare(
      "INSERT INTO reservations (id, at, messages, amount, owner, tag) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    personUsage: prepare(
      "SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(amount), 0) AS amount, MIN(MIN(messages), MIN(amount)) AS least FROM person_usage WHERE person = ? AND at > ?",
    ),
    personReserved: prepare(
      "SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(amount), 0) AS amount, MIN(MIN(messages), MIN(amount)) AS least FROM person_open WHERE person = ? AND at > ?",
    ),
    personReserve: prepare(
      "INSERT INTO person_open (id, person, at, messages, amount) VALUES (?, ?, ?, ?, ?)",
    ),
    personRelease: prepare(
      "DELETE FROM person_open WHERE id = ? RETURNING person, at, messages, amount",
    ),
    addPersonUsage: prepare(
      `INSERT INTO person_usage (person, slot, at, messages, amount) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (person, slot) DO UPDATE SET at = MAX(at, excluded.at),
         messages = messages + excluded.messages, amount = amount + excluded.amount`,
    ),
    takeKey: prepare(
      "INSERT OR REPLACE INTO keys (hash, at, id, fp, tag, outcome) VALUES (?, ?, ?, ?, ?, 'pending')",
    ),
    takeRecent: prepare(
      "INSERT OR REPLACE INTO recent (fp, at, id, tag, until, settled) SELECT value, ?, ?, ?, ?, 0 FROM json_each(?)",
    ),
    consume: prepare("DELETE FROM issued WHERE hash = ?"),
    consumed: prepare("INSERT OR REPLACE INTO confirmations (hash, at, id) VALUES (?, ?, ?)"),
    issue: prepare(
      "INSERT OR REPLACE INTO issued (hash, at, until, payload, channel) VALUES (?, ?, ?, ?, ?)",
    ),
    releaseKeys: prepare("DELETE FROM keys WHERE id = ?"),
    releaseRecent: prepare("DELETE FROM recent WHERE id = ?"),
    release: prepare("DELETE FROM reservations WHERE id = ? RETURNING at, messages, amount"),
    settleKeys: prepare(
      "UPDATE keys SET outcome = ?, result = COALESCE(?, result) WHERE id = ? AND outcome = 'pending'",
    ),
    settleRecent: prepare("UPDATE recent SET settled = 1 WHERE id = ?"),
    addUsage: prepare(
      `INSERT INTO usage (slot, at, messages, amount) VALUES (?, ?, ?, ?)
       ON CONFLICT (slot) DO UPDATE SET at = MAX(at, excluded.at),
         messages = messages + excluded.messages, amount = amount + excluded.amount`,
    ),
    audit: prepare(
      "INSERT INTO audit (id, day, record) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
    ),
    expireAudit: prepare(
      `DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE day < ? LIMIT ${EXPIRE_BATCH * 4})`,
    ),
    readAudit: prepare(
      "SELECT seq, record FROM audit WHERE day = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
  };
}

/**
 * The rules of the send state as SQL over one database, each step run by the engine inside one
 * BEGIN IMMEDIATE transaction (sqlite.ts): look up by index, decide, write. Statements are
 * prepared once per connection.
 */
export class SqliteSteps {
  private readonly s: ReturnType<typeof statements>;

  constructor(
    db: DatabaseSync,
    private readonly writers: Writers,
    private readonly file: string,
  ) {
    this.s = statements(db);
  }

  /** Deletes a bounded batch of what no rule can need any more at `now`. */
  expire(now: number): void {
    const dayAgo = now - DAY_MS;
    this.s.expireKeys.run(dayAgo);
    this.s.expireRecent.run(now);
    this.s.expireReservations.run(dayAgo);
    this.s.expireUsage.run(dayAgo);
    this.s.expireIssued.run(dayAgo);
    this.s.expireConfirmations.run(dayAgo);
    this.s.expireDeclined.run(now);
    this.s.expirePersonOpen.run(dayAgo);
    this.s.expirePersonUsage.run(dayAgo);
  }

  /**
   * Everything a send would consume, checked and taken at once: the idempotency key, the content
   * fingerprints, the daily message count and spend (the account's and the person's), a
   * confirmation token. Either all are taken,
   * or nothing is and the refusal says why.
   */
  reserve(request: ReserveRequest, now: number): ReserveResult {
    const refusal = this.refusal(request, now);
    if (refusal) return { ok: false, refusal };
    const amount = toUnits(request.amount ?? 0);
    this.s.reserve.run(request.id, now, request.messages, amount, this.writers.me, request.tag);
    const person = personKeyOf(request);
    if (person) this.s.personReserve.run(request.id, person, now, request.messages, amount);
    const keyHash = keyHashOf(request);
    if (keyHash) {
      this.s.takeKey.run(keyHash, now, request.id, request.fingerprint, request.tag);
    }
    if (request.duplicateWindowMs > 0) {
      const until = now + request.duplicateWindowMs;
      const contents = JSON.stringify(contentsOf(request));
      this.s.takeRecent.run(now, request.id, request.tag, until, contents);
    }
    for (const token of [request.confirmation, request.preview]) {
      if (!token) continue;
      const hash = sha256(token.token);
      this.s.consume.run(hash);
      this.s.consumed.run(hash, now, request.id);
    }
    if (request.payload !== undefined && request.answered) this.s.lift.run(request.payload);
    return { ok: true };
  }

  private refusal(request: ReserveRequest, now: number): Refusal | undefined {
    const dayAgo = now - DAY_MS;
    const keyHash = keyHashOf(request);
    if (keyHash) {
      const first = this.s.key.get(keyHash, dayAgo) as unknown as KeyRow | undefined;
      if (first) return this.keyRefusal(first, request, now);
    }
    if (request.confirmation) {
      const refusal = this.confirmationRefusal(request.confirmation, now);
      if (refusal) return refusal;
    }
    if (request.preview) {
      const refusal = this.confirmationRefusal(request.preview, now);
      if (refusal) return { ...refusal, preview: true } as Refusal;
    }
    if (request.payload !== undefined) {
      const refusal = this.declinedRefusal(request, now);
      if (refusal) return refusal;
    }
    if (request.duplicateWindowMs > 0) {
      const contents = JSON.stringify(contentsOf(request));
      const seen = this.s.recent.all(contents, now) as unknown as RecentRow[];
      const earlier = seen[0];
      if (earlier) {
        const unsettled = earlier.settled === 0;
        const running = unsettled && now - earlier.at < UNSETTLED_MS;
        const pending = running && this.writers.alive(earlier.owner);
        return {
          kind: "duplicate",
          at: earlier.at,
          tag: earlier.tag,
          pending,
          interrupted: unsettled && !pending,
          matched: [...new Set(seen.map((row) => row.fp))],
        };
      }
    }
    const account = limitRefusal(request, request.limits, this.usage(dayAgo), "daily");
    if (account) return account;
    const person = personKeyOf(request);
    if (!person || !request.person) return undefined;
    const { dailyMessages, dailySpend } = request.person;
    if (dailyMessages === undefined && dailySpend === undefined) return undefined;
    const used = this.usage(dayAgo, person);
    return limitRefusal(request, { dailyMessages, dailySpend }, used, "person_daily");
  }

  private keyRefusal(first: KeyRow, request: ReserveRequest, now: number): Refusal {
    const seen = { at: first.at, tag: first.tag };
    if (first.fp !== request.fingerprint) return { kind: "key_other_send", ...seen };
    if (first.outcome === "sent" && first.result !== null) {
      return { kind: "key_replay", ...seen, result: JSON.parse(first.result) };
    }
    if (first.outcome === "pending") {
      const alive = this.writers.alive(first.owner);
      if (alive && now - first.at < UNSETTLED_MS) return { kind: "key_in_progress", ...seen };
      return { kind: "key_maybe_sent", ...seen, interrupted: true };
    }
    return { kind: "key_maybe_sent", ...seen, interrupted: false };
  }

  private confirmationRefusal(
    confirmation: NonNullable<ReserveRequest["confirmation"]>,
    now: number,
  ): Refusal | undefined {
    const hash = sha256(confirmation.token);
    const dayAgo = now - DAY_MS;
    const used = this.s.used.get(hash, dayAgo) as { at: number } | undefined;
    if (used) return { kind: "confirmation_used", at: used.at };
    const issued = this.s.issued.get(hash, dayAgo) as
      | { until: number; payload: string; channel: string }
      | undefined;
    if (!issued) return { kind: "confirmation_unknown" };
    if (now >= issued.until) return { kind: "confirmation_expired", until: issued.until };
    // A mismatch does not consume the token: it still confirms what the user was shown.
    if (issued.payload !== confirmation.payload) {
      return { kind: "confirmation_mismatch", channel: issued.channel };
    }
    return undefined;
  }

  /**
   * A person's no to this payload stands against every send of it but one they accepted when
   * asked after saying no.
   */
  private declinedRefusal(request: ReserveRequest, now: number): Refusal | undefined {
    const no = this.s.declined.get(request.payload as string, now) as
      | { at: number; until: number }
      | undefined;
    if (!no) return undefined;
    if (request.answered && request.confirmation) {
      const asked = this.s.issued.get(sha256(request.confirmation.token), now - DAY_MS) as
        | { at: number }
        | undefined;
      // Same millisecond: asked as the no was recorded, not before it.
      if (asked && asked.at >= no.at) return undefined;
    }
    return { kind: "declined", at: no.at, until: no.until };
  }

  /**
   * Messages and spend (in units) of the day, the account's or one person's: settled slots and
   * open reservations.
   */
  private usage(dayAgo: number, person?: string): { messages: number; amount: number } {
    const settled = (person
      ? this.s.personUsage.get(person, dayAgo)
      : this.s.usage.get(dayAgo)) as unknown as UsageRow;
    const open = (person
      ? this.s.personReserved.get(person, dayAgo)
      : this.s.reserved.get(dayAgo)) as unknown as UsageRow;
    for (const row of [settled, open]) {
      if (row.least !== null && row.least < 0) {
        throw new StateStoreError(
          `The send state database ${this.file} holds a negative count, which no send writes: it was changed outside clicksend-mcp, so the daily limits cannot be trusted. Move it aside or delete it (its counts and idempotency keys are then forgotten); nothing was reset.`,
        );
      }
    }
    return { messages: settled.messages + open.messages, amount: settled.amount + open.amount };
  }

  /** Records a preview's confirmation token (its hash), valid for ttlMs and one send. */
  issue(request: IssueRequest, now: number): void {
    const hash = sha256(request.token);
    this.s.issue.run(hash, now, now + request.ttlMs, request.payload, request.channel);
  }

  /** Spends the question's token (as a send would) and records the no to its payload. */
  decline(request: DeclineRequest, now: number): void {
    const hash = sha256(request.token);
    this.s.consume.run(hash);
    this.s.consumed.run(hash, now, "declined");
    this.s.decline.run(request.payload, now, now + Math.max(1, request.ttlMs));
  }

  /**
   * The outcome of a reserved send. not_sent releases everything it took (a retry is allowed);
   * sent and maybe_sent keep it, sent with the real counts and the result for key repeats.
   * A consumed confirmation stays consumed: a token is single-use whatever happened next.
   */
  settle(id: string, settlement: Settlement): void {
    const reserved = this.s.release.get(id) as
      | { at: number; messages: number; amount: number }
      | undefined;
    const person = this.s.personRelease.get(id) as
      | { person: string; at: number; messages: number; amount: number }
      | undefined;
    if (settlement.outcome === "not_sent") {
      this.s.releaseKeys.run(id);
      this.s.releaseRecent.run(id);
      return;
    }
    const result =
      settlement.outcome === "sent" && settlement.result ? JSON.stringify(settlement.result) : null;
    this.s.settleKeys.run(settlement.outcome, result, id);
    this.s.settleRecent.run(id);
    const real = (taken: { messages: number; amount: number }) =>
      settlement.outcome === "sent"
        ? {
            messages: settlement.messages ?? taken.messages,
            amount: settlement.amount !== undefined ? toUnits(settlement.amount) : taken.amount,
          }
        : taken;
    if (reserved) {
      const used = real(reserved);
      this.s.addUsage.run(slotOf(reserved.at), reserved.at, used.messages, used.amount);
    }
    if (person) {
      const used = real(person);
      const slot = slotOf(person.at);
      this.s.addPersonUsage.run(person.person, slot, person.at, used.messages, used.amount);
    }
  }

  appendAudit(record: AuditRecord, oldestDayKept: string | undefined): void {
    this.s.audit.run(record.id, record.at.slice(0, 10), JSON.stringify(record));
    if (oldestDayKept) this.s.expireAudit.run(oldestDayKept);
  }

  readAudit(day: string, after: string | undefined, limit: number): AuditPage {
    const from = after !== undefined && /^\d+$/.test(after) ? Number(after) : 0;
    const rows = this.s.readAudit.all(day, from, limit + 1) as unknown as Array<{
      seq: number;
      record: string;
    }>;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      records: page.map((row) => JSON.parse(row.record) as AuditRecord),
      ...(rows.length > limit && last ? { next: String(last.seq) } : {}),
    };
  }
}

/**
 * The refusal of a send that would pass a daily limit, the account's ("daily") or the person's
 * ("person_daily"), given what the day has used (amounts in units).
 */
function limitRefusal(
  request: ReserveRequest,
  limits: { dailyMessages?: number | undefined; dailySpend?: number | undefined },
  used: { messages: number; amount: number },
  prefix: "daily" | "person_daily",
): Refusal | undefined {
  const { dailyMessages, dailySpend } = limits;
  if (dailyMessages !== undefined && used.messages + request.messages > dailyMessages) {
    return {
      kind: `${prefix}_messages`,
      limit: dailyMessages,
      used: used.messages,
      requested: request.messages,
    };
  }
  const amount = toUnits(request.amount ?? 0);
  if (dailySpend !== undefined && used.amount + amount > toUnits(dailySpend)) {
    return {
      kind: `${prefix}_spend`,
      limit: dailySpend,
      used: fromUnits(used.amount),
      requested: fromUnits(amount),
    };
  }
  return undefined;
}
