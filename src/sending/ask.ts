import { RefusedError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import type { ToolContext } from "../tool/define-tool.js";
import type { Channel, OutgoingMessage } from "./channel.js";
import { preview } from "./preview.js";

/** How much of each distinct text the person is shown, and how many numbers. */
const EXCERPT_CHARS = 80;
const NUMBERS_SHOWN = 3;

type Quote = Awaited<ReturnType<typeof preview>>;

/**
 * A send without a confirmation, from a host that can ask its user: the person sees what would
 * go (recipients with numbers masked, the text, parts, price) and says yes or no before anything
 * is reserved or posted. Accept: the send goes on. Decline or cancel: refused, nothing sent.
 * Returns false when the host cannot ask, so the caller applies the operator's rule instead.
 */
export async function askToSend(
  channel: Channel,
  body: { messages: OutgoingMessage[] } & Record<string, unknown>,
  subject: string,
  ctx: ToolContext,
): Promise<boolean> {
  if (!ctx.askUser) return false;
  const quoted = await preview(channel, body, [], ctx);
  const answer = ctx.askUser({ message: questionFor(channel, body.messages, quoted), subject });
  if (answer === "accept") return true;
  throw new RefusedError(
    `The user ${answer === "decline" ? "declined" : "dismissed"} this send when the host asked them.`,
  );
}

function questionFor(channel: Channel, messages: OutgoingMessage[], quoted: Quote): string {
  const numbers = messages.flatMap((m) => (m.to ? [maskPhoneNumbers(m.to)] : []));
  const lists = messages.flatMap((m) => (m.list_id !== undefined ? [`list ${m.list_id}`] : []));
  const shown = [...numbers.slice(0, NUMBERS_SHOWN), ...lists];
  const more = numbers.length > NUMBERS_SHOWN ? ` and ${numbers.length - NUMBERS_SHOWN} more` : "";
  const texts = [...new Set(messages.map((m) => m.body))].map((text) =>
    text.length > EXCERPT_CHARS ? `"${text.slice(0, EXCERPT_CHARS)}…"` : `"${text}"`,
  );
  const parts = quoted.messages.reduce((sum, m) => sum + m.parts, 0);
  const one = quoted.recipients === 1;
  const what = one ? channel.words.one : channel.words.many;
  return [
    `Send ${quoted.recipients} ${what} to ${shown.join(", ")}${more}?`,
    ...texts,
    `${parts} part${parts === 1 ? "" : "s"}, ${quoted.total_price} ${quoted.currency ?? ""}`.trim(),
    "Nothing is sent unless you accept.",
  ].join("\n");
}
