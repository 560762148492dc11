import type { ToolContext } from "../src/define-tool.js";
import { RefusedError } from "../src/errors.js";
import { path } from "../src/path.js";
import { SendLedger, type SendRecord } from "../src/sending/dedupe.js";

/** Loaded only for a dry run: the segment calculator is not needed to start or to send. */
type Segments = typeof import("../src/sending/segments.js");

/** The checks that run before a send leaves the process: numbers, guards, duplicates, previews. */

export type Channel = "sms" | "mms" | "voice";

export interface OutgoingMessage {
  to?: string;
  list_id?: number;
  country?: string;
  body: string;
  subject?: string;
  custom_string?: string;
  source?: string;
}

/** Normalises every `to` to E.164 (libphonenumber, loaded only when a send happens). */
export async function normaliseRecipients<M extends OutgoingMessage>(
  messages: M[],
  warnings: string[],
): Promise<M[]> {
  const { normalisePhone } = await import("../src/sending/phone.js");
  return messages.map((message, i) => {
    if (message.to === undefined) return message;
    const number = normalisePhone(`messages[${i}].to`, message.to, message.country);
    if (number.warning) warnings.push(number.warning);
    return { ...message, to: number.e164 };
  });
}

const listIdsOf = (messages: OutgoingMessage[]) => [
  ...new Set(messages.flatMap((m) => (m.list_id !== undefined ? [m.list_id] : []))),
];

/** Phone numbers of a list's contacts, every page. */
async function listNumbers(listId: number, ctx: ToolContext): Promise<string[]> {
  const numbers: string[] = [];
  for (let page = 1; ; page++) {
    const result = await ctx.client.getPage<{ phone_number?: string | null }>(
      path`lists/${listId}/contacts`,
      { page, limit: 100 },
      { signal: ctx.signal },
    );
    for (const c of result.items) if (c.phone_number) numbers.push(c.phone_number);
    if (!result.has_more) return numbers;
  }
}

/**
 * Applies the operator's guards. A list counts as its size, looked up first; with an allow-list
 * every contact's number is checked. Returns how many recipients the call has.
 */
export async function checkGuards(messages: OutgoingMessage[], ctx: ToolContext): Promise<number> {
  const { guard } = ctx.sending;
  const { allowedRecipients, maxRecipientsPerCall, dailyMessageLimit } = guard.config;
  const direct = messages.flatMap((m) => (m.to !== undefined ? [m.to] : []));
  const listSizes = new Map<number, number>();
  const fromLists: string[] = [];
  const guarded =
    allowedRecipients !== undefined ||
    maxRecipientsPerCall !== undefined ||
    dailyMessageLimit !== undefined;
  if (!guarded) return direct.length;
  for (const listId of listIdsOf(messages)) {
    if (allowedRecipients) {
      const numbers = await listNumbers(listId, ctx);
      listSizes.set(listId, numbers.length);
      fromLists.push(...numbers);
    } else {
      const list = await ctx.client.get<{ _contacts_count?: number | string }>(
        path`lists/${listId}`,
        undefined,
        { signal: ctx.signal },
      );
      listSizes.set(listId, Number(list._contacts_count ?? 0));
    }
  }
  guard.check({ numbers: direct, listSizes, listNumbers: fromLists });
  return direct.length + [...listSizes.values()].reduce((a, b) => a + b, 0);
}

/** Same channel, recipients, texts and media: the same send. Order does not matter. */
export function fingerprintOf(
  channel: Channel,
  messages: OutgoingMessage[],
  media?: string,
): string {
  const parts = messages
    .map((m) => JSON.stringify([m.to ?? `list:${m.list_id}`, m.body, m.subject ?? null]))
    .sort();
  return SendLedger.fingerprint([channel, media ?? null, parts]);
}

const ago = (record: SendRecord<unknown>) =>
  `${new Date(record.at).toISOString().replace(/\.\d+Z$/, "Z")} (${Math.round((Date.now() - record.at) / 1000)} s ago)`;

/** An idempotency_key seen before: the first result, or a refusal while its fate is unknown. */
export function replay(
  key: string,
  record: SendRecord<Record<string, unknown>>,
  fingerprint: string,
) {
  if (record.fingerprint !== fingerprint) {
    throw new RefusedError(
      `idempotency_key: ${JSON.stringify(key)} was already used at ${ago(record)} for a different send (custom_string ${record.tag}). Use a new key for a new send.`,
    );
  }
  if (record.outcome === "sent" && record.result) {
    return {
      ...record.result,
      replayed: `idempotency_key ${JSON.stringify(key)} was first used at ${ago(record)}: this is that send's result; nothing was sent again.`,
    };
  }
  throw new RefusedError(
    `idempotency_key: ${JSON.stringify(key)} was used at ${ago(record)} and that send ${
      record.outcome === "pending" ? "is still in progress" : "may have been delivered"
    } (custom_string ${record.tag}). Not sent again; check the history before using a new key.`,
  );
}

export function refuseDuplicate(record: SendRecord<unknown>): never {
  throw new RefusedError(
    `An identical send (same recipients and text) went at ${ago(record)} with custom_string ${record.tag}. ` +
      "To send it again on purpose, repeat the call with allow_duplicate: true.",
  );
}

interface PricedMessage {
  to?: string;
  list_id?: number | string | null;
  status?: string;
  message_parts?: number | string;
  message_price?: number | string;
}

/** Money to 4 decimal places, as ClickSend prices messages. */
export const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

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
  channel: Channel,
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

/**
 * dry_run: validates, computes encoding and parts locally, asks ClickSend for the price
 * ({channel}/price) and reports what would happen. Nothing is sent.
 */
export async function preview(
  channel: Channel,
  body: { messages: OutgoingMessage[] } & Record<string, unknown>,
  warnings: string[],
  ctx: ToolContext,
  describeFailure: (status: string) => string,
) {
  const segments = await import("../src/sending/segments.js");
  const opts = { signal: ctx.signal };
  const partLimit =
    channel === "sms"
      ? Number(
          (
            await ctx.client.get<{ setting_sms_message_char_limit?: number }>(
              "account",
              undefined,
              opts,
            )
          ).setting_sms_message_char_limit ?? 6,
        )
      : Number.POSITIVE_INFINITY;
  const priced = await ctx.client.post<{
    messages?: PricedMessage[];
    _currency?: { currency_name_short?: string };
  }>(`${channel}/price`, body, opts);
  const replies = priced.messages ?? [];
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
          `${field}${reply.to ? ` to ${reply.to}` : ""} would fail: ${reply.status} (${describeFailure(reply.status)}).`,
        );
      }
    }
    return {
      ...(message.to !== undefined
        ? { to: message.to }
        : { list_id: message.list_id, recipients: mine.length }),
      ...analyse(segments, channel, message, field, partLimit, warnings),
      price: priceOfQueued(mine),
    };
  });
  const queued = replies.filter(wouldQueue);
  return {
    dry_run: "Preview only: nothing was sent.",
    recipients: replies.length,
    would_queue: queued.length,
    total_price: priceOfQueued(queued),
    currency: priced._currency?.currency_name_short,
    messages,
    ...(warnings.length ? { warnings } : {}),
  };
}
