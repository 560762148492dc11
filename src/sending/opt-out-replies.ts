import type { Logger } from "../logger.js";
import type { SendStore } from "../state/store.js";
import type { ToolContext } from "../tool/define-tool.js";
import { isOptOutReply } from "./opt-out-words.js";

/** What a reply that opts out carries, outside the fence its text is shown in. */
export const OPT_OUT_NOTE =
  "The sender asked not to be contacted: do not text this number; it is treated as opted out.";

interface Reply {
  from?: string | null | undefined;
  body?: string | null | undefined;
}

/** The reply's marks: `opt_out: true` and the note when its whole text is an opt-out keyword. */
export const optOutOf = (reply: Reply) =>
  isOptOutReply(reply.body) ? { opt_out: true as const, note: OPT_OUT_NOTE } : {};

/** A sender as sends compare it (E.164), or as ClickSend wrote it when it cannot be read. */
async function e164(from: unknown): Promise<string> {
  const { normalisePhone } = await import("./phone.js");
  const text = String(from).trim();
  try {
    return normalisePhone("from", text).e164;
  } catch {
    return text;
  }
}

/**
 * Records in the send store the senders of replies that opt out, so the next send to them is
 * treated as opted out before ClickSend's rule moves them to its Opt Out list. A store that
 * fails does not fail the read: the result says the marks were not kept.
 */
export async function recordOptOuts(ctx: ToolContext, replies: Reply[]): Promise<string[]> {
  const senders = replies.flatMap((r) => (r.from && isOptOutReply(r.body) ? [r.from] : []));
  if (!senders.length) return [];
  const numbers = await Promise.all(senders.map(e164));
  if (await keepOptedOut(ctx.sending.store, ctx.logger, numbers)) return [];
  return [
    "The opt-out replies could not be recorded in the send state: sends to these senders are not refused until ClickSend's rule moves them to the Opt Out list. Do not text them.",
  ];
}

/**
 * Marks numbers (E.164) as opted out in the send store, for every reader of replies (tools, the
 * watcher, the webhook). A store that fails is logged and reported false, never thrown: reading
 * a reply must not fail because its mark could not be kept.
 */
export async function keepOptedOut(
  store: SendStore,
  logger: Logger,
  numbers: string[],
): Promise<boolean> {
  if (!numbers.length) return true;
  try {
    await store.markOptedOut(numbers);
    return true;
  } catch (error) {
    logger.warn(`opt-out replies not recorded: ${error instanceof Error ? error.name : "error"}`);
    return false;
  }
}
