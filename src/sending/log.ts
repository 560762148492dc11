import type { Logger } from "../logger.js";
import { type Person, personLabel } from "../oauth/person.js";

/** What the log says about a send: never bodies or recipients. */
export interface SendLogEntry {
  tool: string;
  queued: number;
  failed: number;
  total_price?: number;
  currency?: string;
  message_ids?: string[];
  /** True when the embedded simulator took the send. */
  sandbox?: boolean;
  /** Who sent it (HTTP with OAuth): their sub and name, never their token. */
  by?: Person;
}

const MAX_LOGGED_IDS = 10;

/**
 * Logs one send at info level (stderr and an MCP notification): counts, price and message ids,
 * so an operator can trace what was sent without the log holding anyone's number or text.
 */
export function logSend(logger: Logger, send: SendLogEntry): void {
  const ids = send.message_ids ?? [];
  const shown = ids.slice(0, MAX_LOGGED_IDS).join(", ");
  const more = ids.length > MAX_LOGGED_IDS ? ` and ${ids.length - MAX_LOGGED_IDS} more` : "";
  const price =
    send.total_price !== undefined
      ? `, total price ${send.total_price}${send.currency ? ` ${send.currency}` : ""}`
      : "";
  logger.info(
    `${send.tool}${send.by ? ` by ${personLabel(send.by)}` : ""}${send.sandbox ? " (sandbox, nothing sent)" : ""}: ${send.queued} queued, ${send.failed} failed${price}${
      ids.length ? `; message ids ${shown}${more}` : ""
    }`,
  );
}
