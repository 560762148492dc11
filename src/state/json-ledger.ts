import { createHash } from "node:crypto";
import { round4 } from "../values.js";
import type { IssueRequest, Refusal, ReserveRequest, ReserveResult, Settlement } from "./ledger.js";

/**
 * The whole-state JSON form the Redis engine still moves on every step, until its steps become
 * server-side scripts. The sending state of one account and the pure steps that change it: issue (a preview's
 * confirmation), reserve (before a send leaves) and settle (after). Every store runs them inside its own atomic transaction, so
 * the rules live here once and memory, file and Redis stores cannot disagree about them.
 * Only hashes, counts, times, tags and redacted results are kept: never bodies or full numbers.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** A reservation never settled (its process died mid-send) is reported as maybe sent after this. */
const UNSETTLED_MS = 5 * 60 * 1000;
/**
 * Settled usage is summed per five minutes of reservation: every transaction reads and rewrites
 * the whole state, which with a record per send grew with the day's sends (5,000 sends: 14 ms a
 * transaction on the file store, 20,000: 66 ms); now a day is at most 288 sums. A slot counts
 * until its latest send is a day old, so a send counts for up to five minutes longer than a day:
 * the limits err on the strict side.
 */
const USAGE_SLOT_MS = 5 * 60_000;
const slotOf = (at: number) => `@${Math.floor(at / USAGE_SLOT_MS)}`;

interface KeyRecord {
  at: number;
  id: string;
  /** The content fingerprint, so a key reused for another send is recognised. */
  fp: string;
  tag: string;
  outcome: "pending" | "sent" | "maybe_sent";
  /** The first send's redacted result, returned to a repeat of the key. */
  result?: Record<string, unknown>;
}

interface RecentRecord {
  at: number;
  id: string;
  tag: string;
  until: number;
  settled?: boolean;
}

interface UsageRecord {
  at: number;
  messages: number;
  amount: number;
}

interface ConfirmationRecord {
  at: number;
  id: string;
}

/** A confirmation a preview issued and no send has used yet. */
interface IssuedRecord {
  at: number;
  until: number;
  /** Hash of the previewed payload and the account (sending/confirm.ts). */
  payload: string;
  /** The channel previewed ("sms"), so a token used on another channel is named as such. */
  channel: string;
}

export interface SendState {
  v: 1;
  /** By sha256 of the idempotency key, kept 24 hours. */
  keys: Record<string, KeyRecord>;
  /** By content fingerprint (one per recipient and text), kept for the duplicate window. */
  recent: Record<string, RecentRecord>;
  /**
   * What sends count against the daily limits, kept 24 hours: by reservation id until settled,
   * then summed into its five minutes ("@" and their number since the epoch).
   */
  usage: Record<string, UsageRecord>;
  /** By sha256 of a consumed confirmation token, kept 24 hours. */
  confirmations?: Record<string, ConfirmationRecord>;
  /**
   * By sha256 of an issued, unused confirmation token, kept 24 hours (not only until it
   * expires), so a late send is told "expired", not "unknown".
   */
  issued?: Record<string, IssuedRecord>;
}

export const emptyState = (): SendState => ({ v: 1, keys: {}, recent: {}, usage: {} });

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Drops what no rule can need any more; run at the start of every transaction. */
function prune(state: SendState, now: number): SendState {
  const dayAgo = now - DAY_MS;
  const keep = <T extends { at: number }>(records: Record<string, T>, live: (r: T) => boolean) =>
    Object.fromEntries(Object.entries(records).filter(([, r]) => live(r)));
  return {
    v: 1,
    keys: keep(state.keys, (r) => r.at > dayAgo),
    recent: keep(state.recent, (r) => r.until > now),
    usage: keep(state.usage, (r) => r.at > dayAgo),
    ...(state.confirmations
      ? { confirmations: keep(state.confirmations, (r) => r.at > dayAgo) }
      : {}),
    ...(state.issued ? { issued: keep(state.issued, (r) => r.at > dayAgo) } : {}),
  };
}

/** Messages and spend of the last 24 hours. */
function usageOf(state: SendState, now: number): { messages: number; amount: number } {
  let messages = 0;
  let amount = 0;
  for (const record of Object.values(state.usage)) {
    if (record.at > now - DAY_MS) {
      messages += record.messages;
      amount += record.amount;
    }
  }
  return { messages, amount: round4(amount) };
}

/**
 * Everything a send would consume, checked and taken in one step: the idempotency key, the
 * content fingerprint, the daily message count and spend, a confirmation token. Either all are
 * taken, or nothing is and the refusal says why.
 */
export function reserve(
  current: SendState,
  request: ReserveRequest,
  now: number,
): { state: SendState; value: ReserveResult } {
  const state = prune(current, now);
  const refuse = (refusal: Refusal) => ({ state, value: { ok: false, refusal } as const });
  const keyHash = request.key !== undefined ? sha256(request.key) : undefined;

  if (keyHash) {
    const first = state.keys[keyHash];
    if (first) {
      const seen = { at: first.at, tag: first.tag };
      if (first.fp !== request.fingerprint) return refuse({ kind: "key_other_send", ...seen });
      if (first.outcome === "sent" && first.result)
        return refuse({ kind: "key_replay", ...seen, result: first.result });
      if (first.outcome === "pending" && now - first.at < UNSETTLED_MS)
        return refuse({ kind: "key_in_progress", ...seen });
      return refuse({ kind: "key_maybe_sent", ...seen, interrupted: first.outcome === "pending" });
    }
  }
  const { confirmation } = request;
  const confirmationHash = confirmation ? sha256(confirmation.token) : undefined;
  if (confirmation && confirmationHash) {
    const refusal = confirmationRefusal(state, confirmationHash, confirmation.payload, now);
    if (refusal) return refuse(refusal);
  }
  const contents = request.contents ?? [request.fingerprint];
  if (request.duplicateWindowMs > 0) {
    const matched = contents.filter((print) => state.recent[print]);
    const earlier = matched[0] !== undefined ? state.recent[matched[0]] : undefined;
    if (earlier) {
      return refuse({
        kind: "duplicate",
        at: earlier.at,
        tag: earlier.tag,
        pending: !earlier.settled && now - earlier.at < UNSETTLED_MS,
        interrupted: !earlier.settled && now - earlier.at >= UNSETTLED_MS,
        matched,
      });
    }
  }
  const used = usageOf(state, now);
  const { dailyMessages, dailySpend } = request.limits;
  if (dailyMessages !== undefined && used.messages + request.messages > dailyMessages) {
    return refuse({
      kind: "daily_messages",
      limit: dailyMessages,
      used: used.messages,
      requested: request.messages,
    });
  }
  const amount = request.amount ?? 0;
  if (dailySpend !== undefined && round4(used.amount + amount) > dailySpend) {
    return refuse({ kind: "daily_spend", limit: dailySpend, used: used.amount, requested: amount });
  }

  const next: SendState = {
    ...state,
    usage: { ...state.usage, [request.id]: { at: now, messages: request.messages, amount } },
  };
  if (keyHash) {
    next.keys = {
      ...state.keys,
      [keyHash]: {
        at: now,
        id: request.id,
        fp: request.fingerprint,
        tag: request.tag,
        outcome: "pending",
      },
    };
  }
  if (request.duplicateWindowMs > 0) {
    const record = {
      at: now,
      id: request.id,
      tag: request.tag,
      until: now + request.duplicateWindowMs,
    };
    next.recent = { ...state.recent };
    for (const print of contents) next.recent[print] = record;
  }
  if (confirmationHash) {
    const { [confirmationHash]: _consumed, ...issued } = state.issued ?? {};
    next.issued = issued;
    next.confirmations = {
      ...(state.confirmations ?? {}),
      [confirmationHash]: { at: now, id: request.id },
    };
  }
  return { state: next, value: { ok: true } };
}

/** Why a confirmation cannot be used for this payload now; undefined when it can. */
function confirmationRefusal(
  state: SendState,
  hash: string,
  payload: string,
  now: number,
): Refusal | undefined {
  const used = state.confirmations?.[hash];
  if (used) return { kind: "confirmation_used", at: used.at };
  const issued = state.issued?.[hash];
  if (!issued) return { kind: "confirmation_unknown" };
  if (now >= issued.until) return { kind: "confirmation_expired", until: issued.until };
  // A mismatch does not consume the token: it still confirms what the user was shown.
  if (issued.payload !== payload) return { kind: "confirmation_mismatch", channel: issued.channel };
  return undefined;
}

/** Records a preview's confirmation token (its hash), valid for ttlMs and one send. */
export function issue(
  current: SendState,
  request: IssueRequest,
  now: number,
): { state: SendState; value: undefined } {
  const state = prune(current, now);
  const record = {
    at: now,
    until: now + request.ttlMs,
    payload: request.payload,
    channel: request.channel,
  };
  return {
    state: { ...state, issued: { ...(state.issued ?? {}), [sha256(request.token)]: record } },
    value: undefined,
  };
}

/**
 * The outcome of a reserved send. not_sent releases everything it took (a retry is allowed);
 * sent and maybe_sent keep it, sent with the real counts and the result for key repeats.
 */
export function settle(
  current: SendState,
  id: string,
  settlement: Settlement,
  now: number,
): { state: SendState; value: undefined } {
  const state = prune(current, now);
  const others = <T extends { id: string }>(records: Record<string, T>) =>
    Object.fromEntries(Object.entries(records).filter(([, r]) => r.id !== id));
  if (settlement.outcome === "not_sent") {
    const { [id]: _released, ...usage } = state.usage;
    // A consumed confirmation stays consumed: a token is single-use whatever happened next.
    return {
      state: { ...state, keys: others(state.keys), recent: others(state.recent), usage },
      value: undefined,
    };
  }
  const keys = Object.fromEntries(
    Object.entries(state.keys).map(([hash, record]) =>
      record.id === id
        ? [
            hash,
            {
              ...record,
              outcome: settlement.outcome,
              ...(settlement.outcome === "sent" && settlement.result
                ? { result: settlement.result }
                : {}),
            },
          ]
        : [hash, record],
    ),
  );
  const usage = settledUsage(state.usage, id, settlement);
  const recent = Object.fromEntries(
    Object.entries(state.recent).map(([fp, record]) => [
      fp,
      record.id === id ? { ...record, settled: true } : record,
    ]),
  );
  return { state: { ...state, keys, recent, usage }, value: undefined };
}

/** A sent or maybe-sent reservation's usage, at the real counts when known, into its slot. */
function settledUsage(
  usage: SendState["usage"],
  id: string,
  settlement: Settlement,
): SendState["usage"] {
  const { [id]: reserved, ...others } = usage;
  if (!reserved) return usage;
  const real =
    settlement.outcome === "sent"
      ? {
          messages: settlement.messages ?? reserved.messages,
          amount: settlement.amount ?? reserved.amount,
        }
      : reserved;
  const slot = slotOf(reserved.at);
  const sum = others[slot] ?? { at: 0, messages: 0, amount: 0 };
  others[slot] = {
    at: Math.max(sum.at, reserved.at),
    messages: sum.messages + real.messages,
    amount: round4(sum.amount + real.amount),
  };
  return others;
}
