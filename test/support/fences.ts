/**
 * The oracle for fences, written apart from src/tool/untrusted.ts: in what the model reads, fence
 * marks alternate (« open, » close), and no other guillemet, angle bracket, look-alike of one, or
 * code point a reader cannot see appears anywhere, inside a fence or out.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";

const LOOKALIKES =
  "\u226a\u226b\u27ea\u27eb<>\uff1c\uff1e\ufe64\ufe65\u2039\u203a\u2329\u232a\u3008-\u300b\u02c2\u02c3\u276c-\u2771\u27e8\u27e9\u1438\u1433";
const INVISIBLE =
  "\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Zl}\\p{Zp}\\p{Co}\\p{Cs}\\u{E0000}-\\u{E007F}\\uFE00-\\uFE0F\\u180E\\u034F\\u061C\\u3164";
const SUSPECT = new RegExp(`«|»|[${LOOKALIKES}]|[${INVISIBLE}]`, "gu");

/** What in text could end a fence early or hide from the reader; [] when nothing. */
export function fenceBreaks(text: string): string[] {
  const problems: string[] = [];
  let open = false;
  for (const match of text.matchAll(SUSPECT)) {
    const found = match[0];
    if (found === "«") {
      if (open) problems.push(`a fence opened inside a fence at ${match.index}`);
      open = true;
    } else if (found === "»") {
      if (!open) problems.push(`a fence closed that was not open at ${match.index}`);
      open = false;
    } else if (found !== "\n" && found !== "\t") {
      const code = (found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
      problems.push(`U+${code} at ${match.index}`);
    }
  }
  if (open) problems.push("a fence left open");
  return problems;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** fenceBreaks of every string in a value. */
export const fenceBreaksIn = (value: unknown): string[] => strings(value).flatMap(fenceBreaks);

/** fenceBreaks of a result's text parts and of every string of its structured content. */
export function resultFenceBreaks(result: CallToolResult): string[] {
  const texts = result.content.flatMap((part) => (part.type === "text" ? [part.text] : []));
  return [...texts.flatMap(fenceBreaks), ...fenceBreaksIn(result.structuredContent)];
}
