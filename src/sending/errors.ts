import { RefusedError, ToolError } from "../errors.js";
import { type Person, personLabel } from "../oauth/person.js";
import { fromUnits, type Refusal, toUnits } from "../state/ledger.js";
import { isoMs } from "../values.js";
import type { Channel } from "./channel.js";

/**
 * A send whose fate is unknown (timeout, dropped connection, 5xx after the request was written).
 * It is never retried: the model is told where to look before sending again.
 */
export class AmbiguousSendError extends ToolError {
  override name = "AmbiguousSendError";
  readonly outcome = "maybe_sent" as const;
  override readonly explainsOutcome = true;
  /** `howToFind` is the channel's next step for this send's tag (Channel.findSend). */
  constructor(cause: ToolError, howToFind: string) {
    super(
      `${cause.message} The message may already have been delivered: it was not retried. ` +
        `Before sending again, ${howToFind}.`,
    );
  }
}

/**
 * A send refused because an earlier one with the same key or text may have been delivered: its
 * outcome is unknown (never settled: its process stopped, or the request's fate was unclear).
 * This call sent nothing, but "nothing was sent" would mislead: the message says what may have.
 */
export class EarlierSendUnknownError extends ToolError {
  override name = "EarlierSendUnknownError";
  readonly outcome = "not_sent" as const;
  override readonly explainsOutcome = true;
}

/** The next step after a refused confirmation: preview again and show the user. */
const again = (previewTool: string) =>
  `Preview the send with ${previewTool}, show the user the result, and send with its new confirmation.`;

const ago = (at: number, now: number) => `${isoMs(at)} (${Math.round((now - at) / 1000)} s ago)`;

/**
 * Who of this send already got the same text: all of them, or which ones. `contents` names the
 * recipient of each content fingerprint the send reserved.
 */
function overlap(matched: string[], contents: ReadonlyMap<string, string>): string {
  const total = contents.size;
  if (matched.length >= total) return total === 1 ? "this recipient" : `all ${total} recipients`;
  const names = matched.slice(0, 3).map((print) => contents.get(print) ?? "?");
  const more = matched.length > names.length ? ` and ${matched.length - names.length} more` : "";
  return `${matched.length} of the ${total} recipients (${names.join(", ")}${more})`;
}

export interface RefusedSend {
  key: string | undefined;
  now: number;
  channel: Pick<Channel, "findSend" | "previewTool" | "kind">;
  /** The send's content fingerprints, each with its recipient named (duplicates.contentsOf). */
  contents?: ReadonlyMap<string, string>;
  /** The quote's currency, for a spend limit's refusal. */
  currency?: string;
  /** Who is sending (OAuth), for a per-person limit's refusal. */
  person?: Person;
}

/**
 * The send store's refusal in words the model can act on. A repeat of a sent key is not a
 * refusal: it returns the first result, marked as replayed.
 */
export function refusalOutcome(
  refusal: Refusal,
  { key, now, channel, contents = new Map(), currency, person }: RefusedSend,
): Record<string, unknown> {
  const { findSend, previewTool } = channel;
  const quoted = JSON.stringify(key);
  const money = (n: number) => `${n}${currency ? ` ${currency}` : ""}`;
  const who = person ? personLabel(person) : "this person";
  switch (refusal.kind) {
    case "key_replay":
      return {
        ...refusal.result,
        replayed: `idempotency_key ${quoted} was first used at ${ago(refusal.at, now)}: this is that send's result; nothing was sent again.`,
      };
    case "key_other_send":
      throw new RefusedError(
        `idempotency_key: ${quoted} was already used at ${ago(refusal.at, now)} for a different send (custom_string ${refusal.tag}). Use a new key for a new send.`,
      );
    case "key_in_progress":
      throw new RefusedError(
        `idempotency_key: ${quoted} is in progress: the first call with this key, started at ${ago(refusal.at, now)} (custom_string ${refusal.tag}), has not finished. Not sent again; wait for that call's result.`,
      );
    case "key_maybe_sent":
      if (refusal.interrupted) {
        throw new EarlierSendUnknownError(
          `idempotency_key: ${quoted} was first used at ${ago(refusal.at, now)} (custom_string ${refusal.tag}) by a send that never finished (its process stopped): it may have been sent. Not sent again by this call; ${findSend(refusal.tag)} before using a new key.`,
        );
      }
      throw new RefusedError(
        `idempotency_key: ${quoted} was used at ${ago(refusal.at, now)} and that send may have been delivered (custom_string ${refusal.tag}). Not sent again; before using a new key, ${findSend(refusal.tag)}.`,
      );
    case "duplicate": {
      const who = overlap(refusal.matched, contents);
      const partial = refusal.matched.length < contents.size;
      if (refusal.interrupted) {
        throw new EarlierSendUnknownError(
          `A send of the same text to ${who} started at ${ago(refusal.at, now)} with custom_string ${refusal.tag} and never finished (its process stopped): it may have been sent. Not sent again by this call; ${findSend(refusal.tag)}, and to send it anyway repeat the call with allow_duplicate: true.`,
        );
      }
      throw new RefusedError(
        refusal.pending
          ? `A send of the same text to ${who} started at ${ago(refusal.at, now)} with custom_string ${refusal.tag} and has not finished. Not sent again; wait for that call's result.`
          : `The same text (ignoring case, spacing and invisible characters) went to ${who} at ${ago(refusal.at, now)} with custom_string ${refusal.tag}. To send it again on purpose, repeat the call with allow_duplicate: true${partial ? ", or leave those recipients out" : ""}.`,
      );
    }
    case "daily_messages":
      throw new RefusedError(
        `Refused by CLICKSEND_DAILY_MESSAGE_LIMIT: the limit is ${refusal.limit} messages per 24 hours, ${refusal.used} were sent in the last 24 hours and this call has ${refusal.requested}.`,
      );
    case "daily_spend":
      throw new RefusedError(
        `Refused by CLICKSEND_DAILY_SPEND_LIMIT: the limit is ${money(refusal.limit)} per 24 hours, ${money(refusal.used)} was spent in the last 24 hours and this send would cost ${money(refusal.requested)}.`,
      );
    case "person_daily_messages": {
      const left = Math.max(0, refusal.limit - refusal.used);
      throw new RefusedError(
        `Refused by CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT for ${who}: each person may send ${refusal.limit} messages per 24 hours; ${who} sent ${refusal.used} in the last 24 hours, ${left} ${left === 1 ? "is" : "are"} left, and this call has ${refusal.requested}.`,
      );
    }
    case "person_daily_spend":
      throw new RefusedError(
        `Refused by CLICKSEND_PERSON_DAILY_SPEND_LIMIT for ${who}: each person may spend ${money(refusal.limit)} per 24 hours; ${who} spent ${money(refusal.used)} in the last 24 hours, ${money(Math.max(0, fromUnits(toUnits(refusal.limit) - toUnits(refusal.used))))} is left, and this send would cost ${money(refusal.requested)}.`,
      );
    case "confirmation_used":
      throw new RefusedError(
        `confirmation: already used at ${ago(refusal.at, now)}; a confirmation is single-use. ${again(previewTool)}`,
      );
    case "confirmation_unknown":
      throw new RefusedError(
        `confirmation: not one this server issued for this account (mistyped, or from a server that does not share this one's send state). ${again(previewTool)}`,
      );
    case "confirmation_expired":
      throw new RefusedError(
        `confirmation: expired at ${isoMs(refusal.until)}. ${again(previewTool)}`,
      );
    case "confirmation_mismatch":
      throw new RefusedError(
        refusal.channel !== channel.kind
          ? `confirmation: issued for a send on another channel (${refusal.channel}), not ${channel.kind}. ${again(previewTool)}`
          : `confirmation: this send differs from the one previewed (its text, recipients, schedule, sender or another field changed). Send exactly the previewed arguments, or ${again(previewTool).toLowerCase()}`,
      );
    case "declined":
      throw new RefusedError(
        `The person at the host declined this exact send at ${ago(refusal.at, now)}. Their no stands until ${isoMs(refusal.until)}: a preview's confirmation does not override it, and this host cannot ask them again. Do not retry; ask the user what they want instead.`,
      );
  }
}
