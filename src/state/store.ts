import { isoMs } from "../values.js";
import {
  DAY_MS,
  type DeclineRequest,
  type IssueRequest,
  type ReserveRequest,
  type ReserveResult,
  type SendOutcome,
  type Settlement,
  sha256,
} from "./ledger.js";

/** One send as the audit shows it: who was texted (masked), what it cost, how it ended. */
export interface AuditRecord {
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  tool: string;
  tag: string;
  outcome: SendOutcome | "pending";
  recipients: number;
  /** Masked numbers ("***111"), at most a few. */
  to?: string[];
  lists?: number[];
  messages?: number;
  price?: number;
  currency?: string;
  message_ids?: string[];
  reason?: string;
  /** Who sent it, over HTTP with OAuth: the token's sub and name. */
  by?: { sub: string; name?: string };
}

/** One page of a day's audit; `next` continues it. */
export interface AuditPage {
  records: AuditRecord[];
  next?: string;
}

/**
 * Where one account's sending state lives, and the atomic steps on it. Each step checks and
 * takes everything it needs at once, against every other process or instance that shares the
 * engine; `now` is the caller's clock, which an engine with a clock of its own (Redis) ignores.
 */
export interface SendStateEngine {
  readonly kind: "memory" | "sqlite" | "redis";
  /** Where the state is, for messages (a path or a redacted URL); never a secret. */
  readonly location: string;
  reserve(request: ReserveRequest, now: number): Promise<ReserveResult>;
  issue(request: IssueRequest, now: number): Promise<void>;
  settle(id: string, settlement: Settlement, now: number): Promise<void>;
  /** Spends a question's token and records the person's no to its payload, in one step. */
  decline(request: DeclineRequest, now: number): Promise<void>;
  /** Records a send's progress; the latest record of an id replaces the earlier ones. */
  appendAudit(record: AuditRecord): Promise<void>;
  /** A day's sends, first recorded first, `limit` at a time from `after` (a page's `next`). */
  readAudit(day: string, page: { after?: string; limit: number }): Promise<AuditPage>;
  /**
   * Records numbers that replied an opt-out keyword, as their hashes (SendStore.optOutHash),
   * each kept until `now + ttlMs`; marking one again extends it.
   */
  markOptedOut(hashes: string[], ttlMs: number, now: number): Promise<void>;
  /** Which of these hashes are marked and unexpired at `now`. */
  optedOut(hashes: string[], now: number): Promise<Set<string>>;
  close(): Promise<void>;
}

/**
 * How long a number that replied an opt-out keyword stays marked. ClickSend's Opt Out list is the
 * lasting record (its default rule moves people there); the mark covers the time before that
 * and a list that was cleaned by hand. Over a year, so a yearly campaign still finds it, and
 * bounded, so the table does not grow forever.
 */
export const OPT_OUT_MARK_MS = 400 * DAY_MS;

/** Days the audit keeps. */
export const AUDIT_DAYS = 7;

/** YYYY-MM-DD in UTC. */
export const dayOf = (ms: number): string => isoMs(ms).slice(0, 10);

/** The oldest audit day kept once `day` has records: older days are deleted. */
export const oldestAuditDayKept = (day: string): string =>
  dayOf(Date.parse(day) - (AUDIT_DAYS - 1) * 86_400_000);

/**
 * The send state of one account: reserve before a send leaves, settle after, and the audit of
 * what was sent. The engine makes each step atomic.
 */
export class SendStore {
  constructor(
    readonly engine: SendStateEngine,
    private readonly clock: () => number = Date.now,
    /** The account this state belongs to (state/open.ts accountScope); confirmations bind it. */
    readonly scope = "local",
  ) {}

  get kind() {
    return this.engine.kind;
  }

  get location() {
    return this.engine.location;
  }

  now(): number {
    return this.clock();
  }

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.engine.reserve(request, this.clock());
  }

  /** Records a preview's confirmation token, so any process sharing the engine accepts it once. */
  issue(request: IssueRequest): Promise<void> {
    return this.engine.issue(request, this.clock());
  }

  settle(id: string, settlement: Settlement): Promise<void> {
    return this.engine.settle(id, settlement, this.clock());
  }

  /** Records that the person at the host said no to a send, for every process sharing the engine. */
  decline(request: DeclineRequest): Promise<void> {
    return this.engine.decline(request, this.clock());
  }

  /** Records a send's progress; the latest record of an id is the one the audit shows. */
  record(record: AuditRecord): Promise<void> {
    return this.engine.appendAudit(record);
  }

  /** The sends of one UTC day, oldest first, each as its latest record, a page at a time. */
  audit(day: string, page: { after?: string; limit: number }): Promise<AuditPage> {
    return this.engine.readAudit(day, page);
  }

  /** Every send of one UTC day, oldest first, read page by page. */
  async auditDay(day: string): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let after: string | undefined;
    do {
      const page = await this.engine.readAudit(day, { ...(after ? { after } : {}), limit: 500 });
      records.push(...page.records);
      after = page.next;
    } while (after);
    return records;
  }

  /** A number (E.164) as the opt-out marks store it: hashed with the account, never in clear. */
  optOutHash(e164: string): string {
    return sha256(`opt-out\n${this.scope}\n${e164}`);
  }

  /** Marks numbers (E.164) that replied an opt-out keyword, for OPT_OUT_MARK_MS. */
  markOptedOut(numbers: string[]): Promise<void> {
    const hashes = [...new Set(numbers.map((n) => this.optOutHash(n)))];
    if (!hashes.length) return Promise.resolve();
    return this.engine.markOptedOut(hashes, OPT_OUT_MARK_MS, this.clock());
  }

  /** Which of these numbers (E.164) replied an opt-out keyword. */
  async optedOut(numbers: string[]): Promise<Set<string>> {
    const byHash = new Map(numbers.map((n) => [this.optOutHash(n), n]));
    if (!byHash.size) return new Set();
    const found = await this.engine.optedOut([...byHash.keys()], this.clock());
    return new Set([...found].flatMap((hash) => byHash.get(hash) ?? []));
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
