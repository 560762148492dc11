import { createHash } from "node:crypto";
import { showHidden } from "../tool/untrusted.js";

/**
 * Who is calling, over HTTP with OAuth: the access token's subject and, when it carries one, a
 * display name. Absent over stdio and with the static bearer token.
 */
export interface Person {
  /** The token's `sub`: stable, and what per-person limits count against. */
  sub: string;
  /** The token's `name` claim, when it has one. */
  name?: string;
}

/** Longest sub or name kept, in characters as shown (hidden characters as escapes). */
export const PERSON_CHARS = 200;

/**
 * A claim as one safe line: every invisible, bidi or control character (line breaks too) shown
 * as its \u escape, as the question shows third-party text, so a name cannot forge a line of a
 * question or a log, nor hide anything in one.
 */
const oneLine = (text: string): string => text.split("\n").map(showHidden).join("\\u000a");

/**
 * The sub as limits count it and the audit shows it: shown safely, and when that is too long, cut
 * and ended with a hash of the whole, so two long subs never count as one person.
 */
function subOf(raw: string): string {
  const shown = oneLine(raw);
  if (shown.length <= PERSON_CHARS) return shown;
  const hash = createHash("sha256").update(raw).digest("hex").slice(0, 16);
  return `${shown.slice(0, PERSON_CHARS - 18)}…#${hash}`;
}

function nameOf(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const shown = oneLine(raw.trim());
  if (!shown) return undefined;
  return shown.length <= PERSON_CHARS ? shown : `${shown.slice(0, PERSON_CHARS - 1)}…`;
}

/**
 * The person a verified token names (the SDK's AuthInfo, whose `extra` the token verifier fills
 * with `{ sub, name? }`), read defensively: strings only, bounded, one safe line each. Undefined
 * without a sub: the static bearer token, stdio, or a token that names nobody.
 */
export function personOf(
  authInfo: { extra?: Record<string, unknown> } | undefined,
): Person | undefined {
  const sub = authInfo?.extra?.sub;
  if (typeof sub !== "string" || sub === "") return undefined;
  const name = nameOf(authInfo?.extra?.name);
  return { sub: subOf(sub), ...(name ? { name } : {}) };
}

/**
 * A person for a question or a log line: "Ana Silva (ana)", or the sub alone. Shown safely again,
 * whoever made the Person.
 */
export function personLabel(person: Person): string {
  const sub = oneLine(person.sub);
  return person.name ? `${oneLine(person.name)} (${sub})` : sub;
}
