/**
 * Text written by third parties (SMS replies, contact fields) reaches the model inside a fence,
 * with control and invisible characters made visible, so it reads as data and not as instructions.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

const FENCE_OPEN = "<untrusted>";
const FENCE_CLOSE = "</untrusted>";

function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function fence(text: string): string {
  // A sender must not be able to close the fence early.
  const inner = escapeInvisible(text).replace(/<\/?untrusted>/gi, (tag) =>
    tag.replace("<", "‹").replace(">", "›"),
  );
  return `${FENCE_OPEN}${inner}${FENCE_CLOSE}`;
}
