import { isoTime, numberOf, round4 } from "../values.js";
import type { Channel } from "./channel.js";

export interface SentMessage {
  to?: string;
  list_id?: number | string | null;
  contact_id?: number | string | null;
  body?: string;
  status?: string;
  message_id?: string;
  message_parts?: number | string;
  message_price?: number | string;
  date?: number | string;
  schedule?: number | string;
}

export interface SendData {
  messages?: SentMessage[];
  _currency?: { currency_name_short?: string };
}

/** The answer to a send says what became of each message: an array of objects. */
export function hasMessageList(data: unknown): data is SendData {
  const messages = (data as SendData | null | undefined)?.messages;
  return Array.isArray(messages) && messages.every((m) => m !== null && typeof m === "object");
}

/** Who a message went to; never the body. */
const recipient = (message: SentMessage) => ({
  to: message.to,
  list_id: message.list_id ?? undefined,
  contact_id: message.contact_id ?? undefined,
});

type PartsOf = (body: string) => number;

/** ClickSend queues a test number's message with 0 parts at price 0. */
const isFree = (m: SentMessage) => m.status === "SUCCESS" && numberOf(m.message_parts) === 0;

/**
 * How to count a free message's parts as a preview does (the text's parts; the price says it
 * is free), so a preview and a send agree. Loads the segment calculator only when needed.
 */
export async function partsOfFree(channel: Channel, data: SendData): Promise<PartsOf | undefined> {
  if (!data.messages?.some(isFree)) return undefined;
  const measure = await channel.measurer();
  return (body) => measure(body, Number.POSITIVE_INFINITY).parts;
}

function queuedMessage(message: SentMessage, partsOf?: PartsOf) {
  const date = numberOf(message.date);
  const schedule = numberOf(message.schedule);
  return {
    ...recipient(message),
    status: message.status,
    message_id: message.message_id,
    parts:
      isFree(message) && partsOf && message.body !== undefined
        ? partsOf(message.body)
        : numberOf(message.message_parts),
    price: numberOf(message.message_price),
    schedule: date && schedule && schedule > date ? isoTime(schedule) : undefined,
  };
}

/** ClickSend's answer to a send: counts, the price of what was queued, failures first. */
export function summarise(channel: Channel, data: SendData, partsOf?: PartsOf) {
  const all = data.messages ?? [];
  const failures = all
    .filter((m) => m.status !== "SUCCESS")
    .map((message) => {
      // A refused message, in plain words; it was not charged.
      const status = message.status ?? "UNKNOWN";
      return {
        ...recipient(message),
        status,
        reason: channel.describeStatus(status),
        message_id: message.message_id,
      };
    });
  const queued = all
    .filter((m) => m.status === "SUCCESS")
    .map((message) => queuedMessage(message, partsOf));
  return {
    queued_count: queued.length,
    failed_count: failures.length,
    total_price: round4(queued.reduce((sum, row) => sum + (row.price ?? 0), 0)),
    currency: data._currency?.currency_name_short,
    ...(failures.length ? { failures } : {}),
    ...(queued.length ? { queued } : {}),
  };
}

export type SendSummary = ReturnType<typeof summarise>;
