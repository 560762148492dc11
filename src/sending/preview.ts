import type { RequestClient } from "../client/client.js";
import type { ToolContext } from "../tool/define-tool.js";
import { round4 } from "../values.js";
import type { Channel, Measured, OutgoingMessage } from "./channel.js";

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

/** A message's encoding and parts; where ClickSend would cut it, a warning naming the field. */
function measured({ problem, ...counted }: Measured, field: string, warnings: string[]) {
  if (problem) warnings.push(`${field} ${problem}`);
  return counted;
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
  const measure = await channel.measurer();
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
      ...measured(measure(message.body, partLimit), `${field}.body`, warnings),
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
