import type { RequestClient } from "../client/client.js";

/**
 * What the send pipeline needs to know about one channel. The catalogue (tools/) defines these;
 * the pipeline knows no endpoint and no tool by name.
 */
export interface Channel {
  /** The channel's name ("sms"): its toolset, and what confirmations and fingerprints bind. */
  kind: string;
  /** How the person at the host is asked about a send, and how the send card words it. */
  words: ChannelWords;
  /**
   * Loads what counting a text needs (once) and returns how: encoding and parts of one message
   * as this channel is charged, and a warning where ClickSend would cut it.
   */
  measurer(): Promise<Measure>;
  /** The tool that sends on this channel, for logs and the audit. */
  tool: string;
  /** The read-only tool that previews a send and issues its confirmation. */
  previewTool: string;
  sendPath: string;
  pricePath: string;
  /** What the model does to find a send whose outcome is unknown, by its tag (custom_string). */
  findSend(tag: string): string;
  /** The account's part limit for one message, for previews; unlimited when absent. */
  partLimit?: (client: RequestClient) => Promise<number>;
  /** Plain words for one of ClickSend's per-message status codes. */
  describeStatus(status: string): string;
  /** Every contact of a list (all pages), for guards that must see who a list send reaches. */
  listMembers(listId: number, client: RequestClient): Promise<ListMember[]>;
  /** The account's opt-out list (people who replied "Stop") and its members; undefined: none. */
  optOuts(client: RequestClient): Promise<OptOutList | undefined>;
  /** What removes opted-out members from a list, for the warning about them. */
  removeOptedOut: string;
  /**
   * Fills what ClickSend requires of each message and the model may leave out (voice: country),
   * after the guards, so what is posted always has it.
   */
  completeMessages?<M extends OutgoingMessage>(messages: M[], client: RequestClient): Promise<M[]>;
  /** Warnings about what a send carries beside its messages (MMS: a media file ClickSend fails). */
  checkPayload?(payload: Record<string, unknown>): string[];
}

export interface ChannelWords {
  /** One message: "SMS", "voice call". */
  one: string;
  /** Several: "SMS", "voice calls". */
  many: string;
  /** What the send card's button says: "Send", "Call". */
  verb: string;
  /** What its parts are called: "Parts", "Credits". */
  parts: string;
  /** What the send card says once it is sent: "Sent", "Calls queued". */
  done: string;
}

export interface Measured {
  encoding: "GSM-7" | "UCS-2";
  parts: number;
  /** The characters that force Unicode, a few. */
  unicode_chars?: string[];
  /** Why ClickSend would cut the text, said of the body ("is 7 parts; …"). */
  problem?: string;
}

/** Measures one body against the account's part limit (Infinity: none known). */
export type Measure = (body: string, partLimit: number) => Measured;

export interface OptOutList {
  list_id: number;
  members: ListMember[];
}

export interface ListMember {
  contact_id?: number | string | null;
  phone_number?: string | null;
  address_country?: string | null;
}

/** One message as the send tools take it (the channel's own fields ride along). */
export interface OutgoingMessage {
  to?: string | undefined;
  list_id?: number | undefined;
  country?: string | undefined;
  body: string;
  subject?: string | undefined;
  custom_string?: string | undefined;
  source?: string | undefined;
  /** When ClickSend should send it, Unix seconds; unset: now. */
  schedule?: number | undefined;
}

export type SendArgs = { messages: OutgoingMessage[] } & Record<string, unknown> & {
    idempotency_key?: string | undefined;
    confirmation?: string | undefined;
    allow_duplicate?: boolean | undefined;
    media_file?: string | undefined;
  };
