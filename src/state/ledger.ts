import { createHash } from "node:crypto";

/**
 * The vocabulary of the send state: what a reservation asks for, what a refusal says, what a
 * settlement reports, and the times every engine applies alike. The rules themselves run inside
 * each engine's atomic step (sqlite-steps.ts in SQL, redis-scripts.ts in Lua), and one contract
 * suite (test/send-state-contract.test.ts) holds every engine to them.
 * Only hashes, counts, times, tags and redacted results are kept: never bodies or full numbers.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
/** A reservation never settled is reported as maybe sent after this, even if its owner lives. */
export const UNSETTLED_MS = 5 * 60 * 1000;
/**
 * Settled usage is summed per five minutes of reservation, so a day is at most 288 sums. A slot
 * counts until its latest send is a day old: a send counts for up to five minutes longer than
 * a day, on the strict side.
 */
export const USAGE_SLOT_MS = 5 * 60_000;
/** Amounts are kept in ten-thousandths, as integers: sums are exact. */
export const AMOUNT_SCALE = 10_000;

export const toUnits = (amount: number): number => Math.round(amount * AMOUNT_SCALE);
export const fromUnits = (units: number): number => units / AMOUNT_SCALE;

export type SendOutcome = "sent" | "maybe_sent" | "not_sent";

export interface ReserveRequest {
  /** Unique per send attempt; settles and audits it. */
  id: string;
  tag: string;
  key?: string;
  /** The whole send's content: a key reused for other content is refused. */
  fingerprint: string;
  /**
   * One fingerprint per recipient and text, for the duplicate window: a send is refused when any
   * of them was sent within it, so a repeat to a superset of recipients is caught too.
   * Default: [fingerprint].
   */
  contents?: string[];
  /** 0: no duplicate check for this send (window off, or allow_duplicate). */
  duplicateWindowMs: number;
  /** Messages this send may consume (recipients), counted against dailyMessages. */
  messages: number;
  /** What this send may cost, counted against dailySpend. */
  amount?: number;
  limits: { dailyMessages?: number; dailySpend?: number };
  /**
   * The person sending (OAuth's sub), counted per person beside the account in the same step,
   * whether or not they have limits (so a limit set later counts the day already), and refused
   * past their own limits. Absent: only the account's limits apply.
   */
  person?: { sub: string; dailyMessages?: number; dailySpend?: number };
  /**
   * A preview's single-use token and the hash of this send's payload: refused unless issued for
   * exactly this payload, unexpired and unused; consumed by this reservation.
   */
  confirmation?: { token: string; payload: string };
  /**
   * A preview's confirmation passed along with a person's answer (`confirmation` then holds the
   * answer's token): checked like `confirmation` and spent with it, so a preview confirms one send
   * whoever confirmed it. Its refusals say `preview: true`.
   */
  preview?: { token: string; payload: string };
  /**
   * The hash of what would be posted (the one previews bind): refused while a person's no to it
   * stands (see DeclineRequest), unless `answered`.
   */
  payload?: string;
  /**
   * The confirmation is the token of a question the person at the host accepted: it overrides
   * their earlier no to this payload when it was issued after that no, and lifts it.
   */
  answered?: boolean;
}

/**
 * A person's no: the question's token is spent (an accept replayed with it is refused), and sends
 * of the payload are refused for ttlMs unless the person is asked again and says yes.
 */
export interface DeclineRequest {
  token: string;
  /** The payload's hash, as ReserveRequest.payload. */
  payload: string;
  ttlMs: number;
}

export interface IssueRequest {
  token: string;
  payload: string;
  channel: string;
  ttlMs: number;
}

export type Refusal =
  | { kind: "key_in_progress"; at: number; tag: string }
  | { kind: "key_replay"; at: number; tag: string; result: Record<string, unknown> }
  /** `interrupted`: the send that holds the key never settled (its process stopped). */
  | { kind: "key_maybe_sent"; at: number; tag: string; interrupted: boolean }
  | { kind: "key_other_send"; at: number; tag: string }
  | {
      kind: "duplicate";
      at: number;
      tag: string;
      /** The earlier send is still running. */
      pending: boolean;
      /** The earlier send never settled: its process stopped mid-send. */
      interrupted: boolean;
      /** The request's contents seen within the window, in request order. */
      matched: string[];
    }
  | { kind: "daily_messages"; limit: number; used: number; requested: number }
  | { kind: "daily_spend"; limit: number; used: number; requested: number }
  | { kind: "person_daily_messages"; limit: number; used: number; requested: number }
  | { kind: "person_daily_spend"; limit: number; used: number; requested: number }
  | { kind: "confirmation_used"; at: number; preview?: true }
  | { kind: "confirmation_unknown"; preview?: true }
  | { kind: "confirmation_expired"; until: number; preview?: true }
  | { kind: "confirmation_mismatch"; channel: string; preview?: true }
  /** The person at the host declined this payload at `at`; their no stands until `until`. */
  | { kind: "declined"; at: number; until: number };

export type ReserveResult = { ok: true } | { ok: false; refusal: Refusal };

export interface Settlement {
  outcome: SendOutcome;
  /** What the send really consumed, when known (sent): replaces the reserved amounts. */
  messages?: number;
  amount?: number;
  /** Redacted result kept for a repeat of the idempotency key. */
  result?: Record<string, unknown>;
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The five-minute slot a reservation made at `at` is summed into once settled. */
export const slotOf = (at: number): number => Math.floor(at / USAGE_SLOT_MS);

/** The tokens, keys and fingerprints as stored: hashed, never in clear. */
export const keyHashOf = (request: ReserveRequest): string | undefined =>
  request.key !== undefined ? sha256(request.key) : undefined;
/** A person as the send state keeps them: hashed, a fixed length whatever their sub. */
export const personKeyOf = (request: ReserveRequest): string | undefined =>
  request.person ? sha256(`person\n${request.person.sub}`) : undefined;
export const contentsOf = (request: ReserveRequest): string[] =>
  request.contents ?? [request.fingerprint];
