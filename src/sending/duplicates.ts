import { UserInputError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import { sha256 } from "../state/ledger.js";
import type { Channel, OutgoingMessage } from "./channel.js";
import { comparable } from "./text.js";

/**
 * What makes two sends the same send. Texts are compared in their comparable form (NFC, case
 * folded, whitespace collapsed, invisible characters removed), so a retry with a trailing space,
 * a zero-width space or another capitalisation is still a repeat.
 */

/** One message's recipient and text in the comparable form: equal keys are the same message. */
const sameKey = (m: OutgoingMessage) =>
  JSON.stringify([m.to ?? `list:${m.list_id}`, comparable(m.body), comparable(m.subject ?? "")]);

/** Same channel, recipients, texts and media: the same send. Order does not matter. */
export function fingerprintOf(
  channel: Channel,
  messages: OutgoingMessage[],
  media?: string,
): string {
  const parts = messages.map(sameKey).sort();
  return sha256(JSON.stringify([channel.kind, media ?? null, parts]));
}

/**
 * One fingerprint per recipient and text, for the duplicate window, each with how to name its
 * recipient in a refusal (a masked number or a list id).
 */
export function contentsOf(
  channel: Channel,
  messages: OutgoingMessage[],
  media?: string,
): Map<string, string> {
  const contents = new Map<string, string>();
  for (const m of messages) {
    const print = sha256(JSON.stringify([channel.kind, media ?? null, sameKey(m)]));
    contents.set(print, m.to !== undefined ? maskPhoneNumbers(m.to) : `list ${m.list_id}`);
  }
  return contents;
}

/** The first message that repeats an earlier one (same recipient and text), in words, or undefined. */
export function repeatIn(
  messages: OutgoingMessage[],
): { field: string; problem: string } | undefined {
  const seen = new Map<string, number>();
  for (const [i, m] of messages.entries()) {
    const key = sameKey(m);
    const first = seen.get(key);
    if (first !== undefined) {
      return {
        field: `messages[${i}]`,
        problem: `messages[${i}]: repeats messages[${first}] (the same recipient and text, ignoring case, spacing and invisible characters), so it would be sent twice. Remove it, or set allow_duplicate: true to send both.`,
      };
    }
    seen.set(key, i);
  }
  return undefined;
}

/** The same recipient and text twice in one call would be sent twice: refused, naming both. */
export function refuseRepeats(messages: OutgoingMessage[]): void {
  const repeat = repeatIn(messages);
  if (repeat) throw new UserInputError(repeat.problem, [repeat.field]);
}
