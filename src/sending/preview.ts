import type { RequestClient } from "../client/client.js";
import type { ToolContext } from "../tool/define-tool.js";
import { round4 } from "../values.js";
import type { Channel, OutgoingMessage } from "./channel.js";

/** Loaded only for a preview: the segment calculator is not needed to start or to send. */
type Segments = typeof import("./segments.js");

interface PricedMessage {
  to?: string;
  list_id?: number | string | null;
  status?: string;
  message_parts?: number | string;
  message_price?: number | string;
}

const wouldQueue = (reply: PricedMessage) =>
  reply.status === undefined || reply.status === "SUCCESS";

/** What the messages that would be queued cost; refused ones are not charged. */
const priceOfQueued = (replies: PricedMessage[]) =>
  round4(
    replies.filter(wouldQueue).reduce((sum, reply) => sum + Number(reply.message_price ?? 0), 0),
  );

/** Encoding and parts of one message, computed locally; warnings where ClickSend would truncate. */
function analyse(
  { MMS_MAX_CHARS, smsSegments, VOICE_MAX_PARTS, voiceParts }: Segments,
  channel: Channel["kind"],
  message: OutgoingMessage,
  field: string,
  partLimit: number,
  warnings: string[],
) {
  if (channel === "voice") {
    const { encoding, parts } = voiceParts(message.body);
    if (parts > VOICE_MAX_PARTS)
      warnings.push(
        `${field}.body needs ${parts} credits; ClickSend speaks at most ${VOICE_MAX_PARTS} and cuts the rest.`,
      );
    return { encoding, parts };
  }
  const segments = smsSegments(message.body);
  if (channel === "mms") {
    const max = MMS_MAX_CHARS[segments.encoding];
    if ([...message.body].length > max)
      warnings.push(
        `${field}.body is over ${max} ${segments.encoding} characters; ClickSend cuts the rest.`,
      );
    return {
      encoding: segments.encoding,
      parts: 1,
      ...(segments.unicode_chars ? { unicode_chars: segments.unicode_chars } : {}),
    };
  }
  if (segments.parts > partLimit) {
    warnings.push(
      `${field}.body is ${segments.parts} parts; the account sends at most ${partLimit} and cuts the rest.`,
    );
  }
  return segments;
}

type Body = { messages: OutgoingMessage[] } & Record<string, unknown>;

/** ClickSend's price for a send ({channel}/price): per recipient, lists expanded. */
async function priced(channel: Channel, body: Body, client: RequestClient) {
  const answer = await client.post<{
    messages?: PricedMessage[];
    _currency?: { currency_name_short?: string };
  }>(channel.pricePath, body);
  return { replies: answer.messages ?? [], currency: answer._currency?.currency_name_short };
}

/** What a send would cost: the price of the messages ClickSend would queue. */
export async function quote(channel: Channel, body: Body, client: RequestClient) {
  const { replies, currency } = await priced(channel, body, client);
  return { total: priceOfQueued(replies), currency };
}

/**
 * A preview: validates, computes encoding and parts locally, asks ClickSend for the price
 * and reports what would happen. Nothing is sent.
 */
export async function preview(
  channel: Channel,
  body: Body,
  warnings: string[],
  { client }: ToolContext,
) {
  const segments = await import("./segments.js");
  const partLimit = channel.partLimit ? await channel.partLimit(client) : Number.POSITIVE_INFINITY;
  const { replies, currency } = await priced(channel, body, client);
  let next = 0;
  const messages = body.messages.map((message, i) => {
    const field = `messages[${i}]`;
    // ClickSend answers in request order with each list expanded to its contacts.
    const mine: PricedMessage[] = [];
    if (message.list_id !== undefined) {
      while (next < replies.length && Number(replies[next]?.list_id) === message.list_id)
        mine.push(replies[next++] as PricedMessage);
    } else if (next < replies.length) {
      mine.push(replies[next++] as PricedMessage);
    }
    for (const reply of mine) {
      if (reply.status && reply.status !== "SUCCESS") {
        warnings.push(
          `${field}${reply.to ? ` to ${reply.to}` : ""} would fail: ${reply.status} (${channel.describeStatus(reply.status)}).`,
        );
      }
    }
    return {
      ...(message.to !== undefined
        ? { to: message.to }
        : { list_id: message.list_id, recipients: mine.length }),
      ...analyse(segments, channel.kind, message, field, partLimit, warnings),
      price: priceOfQueued(mine),
    };
  });
  const queued = replies.filter(wouldQueue);
  return {
    recipients: replies.length,
    would_queue: queued.length,
    total_price: priceOfQueued(queued),
    currency,
    messages,
  };
}
