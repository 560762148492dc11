import { isoMs } from "../values.js";
import {
  type IssueRequest,
  issue,
  type ReserveRequest,
  type ReserveResult,
  reserve,
  type SendOutcome,
  type SendState,
  type Settlement,
  settle,
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
}

/**
 * Where one account's sending state lives. `transact` runs a pure step atomically against every
 * other process or instance that shares the backend; it may run the step more than once.
 */
export interface StateBackend {
  readonly kind: "memory" | "file" | "redis";
  /** Where the state is, for messages (a path or a redacted URL); never a secret. */
  readonly location: string;
  transact<T>(
    step: (state: SendState) => { state: SendState; value: T },
    options?: { durable?: boolean },
  ): Promise<T>;
  appendAudit(day: string, record: AuditRecord): Promise<void>;
  readAudit(day: string): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

/** Days the audit keeps. */
export const AUDIT_DAYS = 7;

/** YYYY-MM-DD in UTC. */
export const dayOf = (ms: number): string => isoMs(ms).slice(0, 10);

/** The oldest audit day kept once `day` has records: older days are deleted. */
export const oldestAuditDayKept = (day: string): string =>
  dayOf(Date.parse(day) - (AUDIT_DAYS - 1) * 86_400_000);

/**
 * The send state of one account: reserve before a send leaves, settle after, and the audit of
 * what was sent. The rules are in ledger.ts; the backend makes each step atomic.
 */
export class SendStore {
  constructor(
    readonly backend: StateBackend,
    private readonly clock: () => number = Date.now,
    /** The account this state belongs to (state/open.ts accountScope); confirmations bind it. */
    readonly scope = "local",
  ) {}

  get kind() {
    return this.backend.kind;
  }

  now(): number {
    return this.clock();
  }

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.backend.transact((state) => reserve(state, request, this.clock()));
  }

  /** Records a preview's confirmation token, so any process sharing the backend accepts it once. */
  async issue(request: IssueRequest): Promise<void> {
    await this.backend.transact((state) => issue(state, request, this.clock()));
  }

  async settle(id: string, settlement: Settlement): Promise<void> {
    await this.backend.transact((state) => settle(state, id, settlement, this.clock()), {
      durable: false,
    });
  }

  /** Appends a record; the latest record of an id is the one the audit shows. */
  record(record: AuditRecord): Promise<void> {
    return this.backend.appendAudit(record.at.slice(0, 10), record);
  }

  /** The sends of one UTC day, oldest first, each as its latest record. */
  async audit(day: string): Promise<AuditRecord[]> {
    const latest = new Map<string, AuditRecord>();
    for (const record of await this.backend.readAudit(day)) latest.set(record.id, record);
    return [...latest.values()];
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
