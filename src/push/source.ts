import type { RequestClient } from "../client/client.js";

/**
 * What the reply watcher reads, as the catalogue provides it (Catalogue.replies): src/ knows no
 * ClickSend endpoint. Items are keyed by their own message_id; numbers are E.164.
 */

/** An unread reply, ready to push. */
export interface WatchedReply {
  /** The reply's own message_id. */
  id: string;
  /** Its sender in E.164; undefined when ClickSend's value is not a phone number. */
  number?: string | undefined;
  /** The whole text is an opt-out keyword: pushed as an opt-out, never as a request. */
  optOut: boolean;
  /** What a channel shows: the text fenced as untrusted, and the tool to answer it with. */
  content: string;
  /** Attributes of the channel event: identifiers as keys, short plain values. */
  meta: Record<string, string>;
}

/** An unread delivery receipt. */
export interface WatchedReceipt {
  /** The message_id of the message it reports on. */
  id: string;
  /** When that message was sent, Unix seconds, when the receipt says. */
  sentAt?: number | undefined;
}

export interface ReplySource {
  /** The unread replies and receipts (a bounded number of pages of each). */
  unread(client: RequestClient): Promise<{ replies: WatchedReply[]; receipts: WatchedReceipt[] }>;
  /** The E.164 numbers the receipts' messages went to, by message_id; unknown ones left out. */
  recipients(client: RequestClient, receipts: WatchedReceipt[]): Promise<Map<string, string>>;
}
