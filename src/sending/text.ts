/**
 * Message text as a person sees it: whether anything shows at all, and the form two texts are
 * compared in, so that a repeat differing only in what nobody can see is still a repeat.
 */

/**
 * Characters that show nothing: controls, format characters (zero-width spaces and joiners,
 * bidi marks, BOM, tags), Unicode's default-ignorables (soft hyphen, variation selectors, Hangul
 * fillers) and the Braille blank.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** True when the text has at least one character that shows. */
export const hasVisibleText = (text: string): boolean =>
  text.replace(/\s+/gu, "").replace(INVISIBLE, "") !== "";

/** The invisible characters of a text, as U+XXXX, at most five, for an error message. */
export function invisibleCodes(text: string): string {
  const codes = [...new Set(text.match(INVISIBLE) ?? [])].map(
    (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
  return codes.slice(0, 5).join(", ");
}

/**
 * The form texts are compared in: Unicode NFC, invisible characters removed, whitespace (NBSP
 * and other spaces, newlines) collapsed to one space and trimmed, letter case folded (through
 * upper case, so "STRASSE" is "straße" and a final sigma is a sigma).
 */
export const comparable = (text: string): string =>
  text
    .normalize("NFC")
    .replace(/\s+/gu, " ")
    .replace(INVISIBLE, "")
    .replace(/ {2,}/g, " ")
    .trim()
    .toUpperCase()
    .toLowerCase()
    .normalize("NFC");
