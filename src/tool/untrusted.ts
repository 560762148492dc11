/**
 * Text written by third parties (replies, contact fields, names, message texts) reaches the
 * model inside «…», so it reads as data and not as instructions. Inside a fence every guillemet,
 * angle bracket and look-alike, and every invisible, bidi-control or tag code point, is shown as
 * a \uXXXX escape: nothing inside can close the fence or hide from the reader. The marks are one
 * token each, where <untrusted>…</untrusted> cost seven or eight on every fenced field.
 * Every function here is total (any value in, never a throw) and reads at most a field's cap.
 */

/** Longest fenced field, in characters inside the fence (names, addresses, custom fields). */
export const FIELD_CHARS = 500;
/** Longest fenced free text: message and template bodies (an SMS of 8 parts is 1,224 GSM-7). */
export const TEXT_CHARS = 2000;
/** Longest value that may stay bare, unfenced: see PLAIN. */
const PLAIN_CHARS = 32;

/**
 * C0 and C1 controls but tab and line feed, format characters (bidi controls, zero-width
 * characters, tags), default-ignorable code points (variation selectors, fillers, U+180E),
 * line and paragraph separators, private use, lone surrogates, and the braille blank.
 */
const HIDDEN =
  "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Zl}\\p{Zp}\\p{Co}\\p{Cs}\\u2800";
/** The fence marks « », < and >, and what Unicode (confusables.txt) or a reader takes for them. */
const BRACKETS =
  "\\u00ab\\u00bb\\u226a\\u226b\\u27ea\\u27eb<>\\u02c2\\u02c3\\u1433\\u1438\\u16b2\\u2039\\u203a\\u2329\\u232a\\u276c-\\u2771\\u27e8\\u27e9\\u3008-\\u300b\\ufe64\\ufe65\\uff1c\\uff1e";
const ESCAPE = new RegExp(`[${HIDDEN}${BRACKETS}]`, "gu");
/** Runs of one hidden code point, or tab, or a line break other than line feed. */
const HIDDEN_RUNS = new RegExp(`([${HIDDEN}\\t])\\1*`, "gu");
const NEEDS_ESCAPE = new RegExp(`[${HIDDEN}${BRACKETS}]`, "u");

/**
 * A value shown bare: one word, number or address of at most 32 characters, letters and digits
 * joined by single . ' ’ - _ @ + (Ava, O'Brien, 2060, +61411111111, ava@example.com). It cannot
 * hide anything or read as a sentence, and the model can pass it on verbatim.
 */
const PLAIN = /^\+?[\p{L}\p{N}]+(?:[-.'’_@+][\p{L}\p{N}]+)*$/u;

const FENCE_OPEN = "«";
const FENCE_CLOSE = "»";
/** A fenced value as this module writes it: nothing inside has a mark; the cut marker outside. */
const FENCED = /^«([^«»]*)»(?:…\[\+([\d,]+) chars\])?$/;

function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const cutMarker = (left: number) => (left > 0 ? `…[+${thousands(left)} chars]` : "");

/** The first `units` UTF-16 units of text, never ending inside a surrogate pair. */
function head(text: string, units: number): string {
  const end = Math.max(0, Math.min(units, text.length));
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff && end < text.length
    ? text.slice(0, end - 1)
    : text.slice(0, end);
}

/**
 * Escaped text of at most max characters, and how many characters of the original were left
 * out. Only the first max characters of the original are ever read.
 */
function escapedHead(text: string, max: number): { inner: string; left: number } {
  let cut = head(text, max);
  let inner = cut.replace(ESCAPE, escapeCodePoint);
  // An escape is longer than what it shows, so taking back the overflow always fits.
  while (inner.length > max) {
    cut = head(cut, cut.length - (inner.length - max));
    inner = cut.replace(ESCAPE, escapeCodePoint);
  }
  return { inner, left: text.length - cut.length };
}

/**
 * One line of third-party text for a person to read, every hidden code point shown as its escape,
 * as fences show them, and a run of one as the escape and its count (`\u200b×78`), so that
 * hundreds of zero-width spaces read as what they are.
 */
export function showHidden(line: string): string {
  return line.replace(HIDDEN_RUNS, (run, char: string) => {
    const count = [...run].length;
    return count > 1 ? `${escapeCodePoint(char)}×${count}` : escapeCodePoint(char);
  });
}

/** How many hidden code points (as showHidden shows them) a text holds. */
export function hiddenCount(text: string): number {
  let count = 0;
  for (const run of text.matchAll(HIDDEN_RUNS)) count += [...run[0]].length;
  return count;
}

/** Any value as text: strings as they are, numbers and booleans written out, objects as JSON. */
function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null || typeof value !== "object") return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Third-party text fenced, cut to max characters inside the fence with how much was left out
 * said after it (`«Hello…»…[+12,345 chars]`). Empty and absent values give
 * undefined, which results leave out.
 */
export function fence(value: unknown, max = FIELD_CHARS): string | undefined {
  const text = asText(value);
  if (!text) return undefined;
  const { inner, left } = escapedHead(text, max);
  return `${FENCE_OPEN}${inner}${FENCE_CLOSE}${cutMarker(left)}`;
}

/**
 * A third-party field: bare when it is plain (see PLAIN), fenced otherwise. Numbers and
 * booleans stay as they are.
 */
export function fenceField(value: string | null | undefined, max?: number): string | undefined;
export function fenceField(value: unknown, max?: number): string | number | boolean | undefined;
export function fenceField(
  value: unknown,
  max = FIELD_CHARS,
): string | number | boolean | undefined {
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string" && isPlain(value)) return value;
  return fence(value, max);
}

const isPlain = (text: string) =>
  text.length <= PLAIN_CHARS && PLAIN.test(text) && !NEEDS_ESCAPE.test(text);

/** A flat third-party record with every field but `bare` (ids, times) passed through fenceField. */
export function fenceFields<T extends object>(
  record: T,
  bare: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = bare.includes(key) ? value : fenceField(value);
  }
  return out;
}

/**
 * A string of a result shortened to about max characters, marked with how much was cut; a
 * fenced value is cut inside its fence and stays fenced.
 */
export function shorten(value: string, max: number): string {
  const fenced = FENCED.exec(value);
  if (fenced) {
    const inner = fenced[1] ?? "";
    if (inner.length <= max) return value;
    const kept = keepEscapesWhole(inner, max);
    const left = inner.length - kept.length + Number((fenced[2] ?? "0").replaceAll(",", ""));
    return `${FENCE_OPEN}${kept}${FENCE_CLOSE}${cutMarker(left)}`;
  }
  if (value.length <= max) return value;
  const kept = head(value, max);
  return `${kept}${cutMarker(value.length - kept.length)}`;
}

/** The first max characters of escaped text, not ending inside one of its \u escapes. */
function keepEscapesWhole(inner: string, max: number): string {
  const kept = head(inner, max);
  const partial = /\\u(?:\{[0-9a-f]{0,5}|[0-9a-f]{0,3})$/.exec(kept);
  return partial ? kept.slice(0, partial.index) : kept;
}
