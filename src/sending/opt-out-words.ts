/**
 * Replies that ask not to be texted again. The words are the FCC's list of opt-out keywords
 * (its 2024 order on revoking consent: stop, quit, end, revoke, opt out, cancel,
 * unsubscribe) plus the common variants stop all, stopall and optout. Only a reply that is
 * nothing but one of them counts: "stop by at 5" is a message, not an opt-out.
 */
const WORDS = new Set([
  "stop",
  "quit",
  "end",
  "revoke",
  "opt out",
  "cancel",
  "unsubscribe",
  "stop all",
  "stopall",
  "optout",
]);

/** Replies longer than this are messages whatever they say; it also bounds the folding work. */
const MAX_CHARS = 64;

/**
 * The text as it is compared: NFKC (fullwidth "ＳＴＯＰ" is "STOP"), invisible format characters
 * dropped, lower case, punctuation and symbols around it stripped, and runs of spaces, hyphens
 * and underscores between words made one space ("Opt-Out" is "opt out").
 */
export function foldReply(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toLowerCase()
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, "")
    .replace(/[\s_-]+/gu, " ");
}

/** True when the whole reply is an opt-out keyword, case and spacing aside. */
export function isOptOutReply(text: string | null | undefined): boolean {
  if (typeof text !== "string" || text.length > MAX_CHARS) return false;
  return WORDS.has(foldReply(text));
}
