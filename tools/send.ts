import { randomBytes } from "node:crypto";
import * as z from "zod";
import type { ToolAnnotations, ToolContext } from "../src/define-tool.js";
import { AmbiguousSendError, FailedResultError, ToolError } from "../src/errors.js";
import { logSend } from "../src/logger.js";
import { id, pageInput, searchInput, unixTime } from "./inputs.js";
import {
  type Channel,
  checkGuards,
  fingerprintOf,
  normaliseRecipients,
  type OutgoingMessage,
  preview,
  refuseDuplicate,
  replay,
  round4,
} from "./send-safety.js";
import { trimmedPage } from "./shape.js";

/** Shared by send_sms, send_mms and send_voice, and by the SMS and MMS history tools. */

export const SOURCE = "clicksend-mcp";

/** Sends reach people, cost money and cannot be recalled; repeating one sends again. */
export const SEND: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

/** Required text: refuses "" and whitespace only, never trims what is sent. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => value.trim() !== "", "must not be empty");

/** 0/1 or a boolean, sent as 0/1. */
export const flag = z
  .union([z.boolean(), z.literal([0, 1])], { error: "must be true, false, 0 or 1" })
  .transform(Number);

/** Exactly one of to and list_id, the error naming the field to fix. */
function oneRecipient(message: { to?: unknown; list_id?: unknown }, ctx: z.RefinementCtx): void {
  const hasTo = message.to !== undefined;
  if (hasTo === (message.list_id !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [hasTo ? "list_id" : "to"],
      message: hasTo
        ? "give either to or list_id, not both"
        : "required: give to (a number) or list_id",
    });
  }
}

/**
 * One message of a send: exactly one of to/list_id, a body, and the fields every channel shares;
 * `extra` adds the channel's own fields.
 */
export function messageItem<S extends z.ZodRawShape>(body: z.ZodType<string>, extra: S) {
  return z
    .strictObject({
      to: z
        .string()
        .min(1)
        .max(40)
        .optional()
        .describe("Phone number: E.164 (+61411111111), or local with country; or list_id"),
      list_id: id("Contact list id (list_contact_lists): sends to each contact").optional(),
      body,
      ...extra,
      schedule: unixTime.optional().describe("Send later: Unix seconds or ISO 8601"),
      custom_string: z.string().max(255).optional().describe("Your reference, kept in history"),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, "must be an ISO alpha-2 code like AU")
        .optional()
        .describe("Recipient country, ISO alpha-2"),
      source: z.string().max(100).optional().describe(`App name; default ${SOURCE}`),
    })
    .superRefine(oneRecipient);
}

export const messages = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, "must have at least 1 message").max(1000, "must have at most 1000 messages");

interface SentMessage {
  to?: string;
  list_id?: number | string | null;
  contact_id?: number | string | null;
  status?: string;
  message_id?: string;
  message_parts?: number | string;
  message_price?: number | string;
  date?: number | string;
  schedule?: number | string;
}

interface SendData {
  messages?: SentMessage[];
  _currency?: { currency_name_short?: string };
}

/** Plain words for ClickSend's per-message status codes; anything else is shown as the code. */
const REASONS: Record<string, string> = {
  INVALID_RECIPIENT: "not a valid number for its country",
  INSUFFICIENT_CREDIT: "not enough credit in the account; top it up and send again",
  COUNTRY_NOT_ENABLED: "sending to this country is not enabled for the account (dashboard setting)",
  EMPTY_MESSAGE: "the message body is empty",
  MISSING_REQUIRED_FIELDS: "a required field is missing",
  INVALID_SENDER_ID: "the sender ID (from) is not allowed: a 3-11 char alpha tag or your number",
  THROTTLED: "the same text just went to this number; wait a few seconds before sending again",
  INVALID_SCHEDULE: "schedule is not a valid time",
  NOT_ENOUGH_PERMISSION_TO_LIST_ID: "the list does not exist or is not yours (list_contact_lists)",
  TOO_MANY_RECIPIENTS: "more than 1000 recipients in one call",
  SUBJECT_REQUIRED: "the MMS subject is empty",
  INVALID_MEDIA_FILE: "media_file must be a public .jpg or .gif URL of at most 250 kB",
  INVALID_LANG: "unknown voice language (list_voice_languages)",
  INVALID_VOICE: "that voice is not available for the language (list_voice_languages)",
  REGISTRATION_NEEDED: "the sender or number must be registered for this country first",
};

const describeStatus = (status: string) => REASONS[status] ?? status;

function numberOf(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Unix seconds as ISO 8601 UTC without milliseconds. */
export function isoTime(value: unknown): string | undefined {
  const seconds = numberOf(value);
  return seconds ? new Date(seconds * 1000).toISOString().replace(".000Z", "Z") : undefined;
}

/** Who a message went to; never the body. */
const recipient = (message: SentMessage) => ({
  to: message.to,
  list_id: message.list_id ?? undefined,
  contact_id: message.contact_id ?? undefined,
});

/** A refused message, in plain words; it was not charged. */
function failure(message: SentMessage) {
  const status = message.status ?? "UNKNOWN";
  return {
    ...recipient(message),
    status,
    reason: describeStatus(status),
    message_id: message.message_id,
  };
}

function queuedMessage(message: SentMessage) {
  const date = numberOf(message.date);
  const schedule = numberOf(message.schedule);
  return {
    ...recipient(message),
    status: message.status,
    message_id: message.message_id,
    parts: numberOf(message.message_parts),
    price: numberOf(message.message_price),
    schedule: date && schedule && schedule > date ? isoTime(schedule) : undefined,
  };
}

/** Options every send takes, beside its messages. */
export const sendOptions = {
  dry_run: z
    .boolean()
    .optional()
    .describe("Preview: encoding, parts, price and warnings; sends nothing"),
  idempotency_key: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Your key for this send; a repeat within 24 h returns the first result, sends nothing",
    ),
  allow_duplicate: z
    .boolean()
    .optional()
    .describe("Send even if identical to a send in the last few minutes"),
};

type SendArgs = { messages: OutgoingMessage[] } & Record<string, unknown> & {
    dry_run?: boolean;
    idempotency_key?: string;
    allow_duplicate?: boolean;
    media_file?: string;
  };

const WHERE_TO_LOOK: Record<Channel, string> = {
  sms: "list_sms_history (order_by date:desc)",
  mms: "list_mms_history (order_by date_added:desc)",
  voice: "the account's voice history in the ClickSend dashboard",
};

/**
 * A send, made safe for agents: numbers normalised, operator guards, duplicate and idempotency
 * checks, a tag in custom_string; then one POST, never retried, summarised with failures first.
 * dry_run stops before the POST and quotes the price instead.
 */
export async function send(channel: Channel, args: SendArgs, ctx: ToolContext) {
  const { dry_run, idempotency_key, allow_duplicate, ...payload } = args;
  const { ledger, guard } = ctx.sending;
  const warnings: string[] = [];
  const normalised = await normaliseRecipients(payload.messages, warnings);

  const fingerprint = fingerprintOf(channel, normalised, payload.media_file);
  if (idempotency_key !== undefined && !dry_run) {
    const first = ledger.findKey(idempotency_key);
    if (first) return replay(idempotency_key, first, fingerprint);
  }
  const recipients = await checkGuards(normalised, ctx);
  if (!dry_run && idempotency_key === undefined && !allow_duplicate) {
    const duplicate = ledger.findDuplicate(fingerprint);
    if (duplicate) refuseDuplicate(duplicate);
  }

  // Untagged messages get one tag per call, so the send can be found in history.
  const tag = normalised.every((m) => m.custom_string !== undefined)
    ? (normalised[0]?.custom_string as string)
    : `mcp-${randomBytes(4).toString("hex")}`;
  const body = {
    ...payload,
    messages: normalised.map((message) => ({
      ...message,
      source: message.source ?? SOURCE,
      custom_string: message.custom_string ?? tag,
    })),
  };
  if (dry_run) return preview(channel, body, warnings, ctx, describeStatus);

  const attempt = ledger.begin({ key: idempotency_key, fingerprint, tag });
  let data: SendData;
  try {
    data = await ctx.client.post<SendData>(`${channel}/send`, body, { signal: ctx.signal });
  } catch (error) {
    if (error instanceof ToolError && error.outcome === "maybe_sent") {
      attempt.maybeSent();
      guard.record(recipients);
      ctx.logger.warn(`send_${channel}: outcome unknown (${error.name}), tag ${tag}, not retried`);
      throw new AmbiguousSendError(error, tag, WHERE_TO_LOOK[channel]);
    }
    attempt.notSent();
    throw error;
  }
  const result = { ...summarise(data), tag, ...(warnings.length ? { warnings } : {}) };
  logSend(ctx.logger, {
    tool: `send_${channel}`,
    queued: result.queued_count,
    failed: result.failed_count,
    total_price: result.total_price,
    currency: result.currency,
    message_ids: (result.queued ?? []).flatMap((m) => (m.message_id ? [m.message_id] : [])),
    sandbox: ctx.sandbox,
  });
  if (result.queued_count === 0) {
    attempt.notSent();
    throw new FailedResultError(
      result.failed_count === 0
        ? "The contact lists have no contacts with a phone number."
        : result.failed_count === 1
          ? "The message failed; see failures."
          : `All ${result.failed_count} messages failed; see failures.`,
      result,
    );
  }
  attempt.sent(result);
  guard.record(result.queued_count);
  return result;
}

/** Counts, the price of what was queued, failures first. */
function summarise(data: SendData) {
  const all = data.messages ?? [];
  const failures = all.filter((m) => m.status !== "SUCCESS").map(failure);
  const queued = all.filter((m) => m.status === "SUCCESS").map(queuedMessage);
  return {
    queued_count: queued.length,
    failed_count: failures.length,
    total_price: round4(queued.reduce((sum, row) => sum + (row.price ?? 0), 0)),
    currency: data._currency?.currency_name_short,
    ...(failures.length ? { failures } : {}),
    ...(queued.length ? { queued } : {}),
  };
}

interface HistoryItem {
  message_id: string;
  date?: number | string;
  date_added?: number | string;
  to?: string;
  from?: string | null;
  subject?: string;
  body?: string;
  status?: string;
  status_code?: string | number | null;
  status_text?: string | null;
  error_text?: string | null;
  message_parts?: number | string;
  message_price?: number | string;
  custom_string?: string | null;
  list_id?: number | string | null;
  contact_id?: number | string | null;
  schedule?: number | string;
  _media_file_url?: string | null;
}

const delivered = (code: unknown) => {
  const n = numberOf(code);
  return n === 200 || n === 201;
};

/**
 * What an agent needs of a sent message; render() drops the empty fields. Texts sent to other
 * people come back only when asked for: they are private, and most of a page's bytes.
 */
function historyItem(item: HistoryItem, includeBody: boolean) {
  return {
    message_id: item.message_id,
    date: isoTime(item.date ?? item.date_added),
    to: item.to,
    from: item.from,
    subject: item.subject,
    body: includeBody ? item.body : undefined,
    status: item.status,
    status_code: numberOf(item.status_code),
    // "Delivered" beside status_code 200/201 says nothing new; failures keep their text.
    status_text: delivered(item.status_code) ? undefined : item.status_text,
    error_text: item.error_text,
    parts: numberOf(item.message_parts),
    price: numberOf(item.message_price),
    custom_string: item.custom_string,
    list_id: item.list_id,
    contact_id: item.contact_id,
    schedule: item.status === "Scheduled" ? isoTime(item.schedule) : undefined,
    media_file: item._media_file_url,
  };
}

export const historyInput = (fields: string) =>
  z
    .strictObject({
      ...pageInput,
      date_from: unixTime.optional().describe("Sent at or after: Unix seconds or ISO 8601"),
      date_to: unixTime.optional().describe("Sent at or before"),
      ...searchInput(fields),
      include_body: z.boolean().optional().describe("Include each message's text (default false)"),
    })
    .superRefine(({ date_from, date_to }, ctx) => {
      if (date_from !== undefined && date_to !== undefined && date_from > date_to) {
        ctx.addIssue({
          code: "custom",
          path: ["date_to"],
          message: "must not be before date_from",
        });
      }
    });

export const history = (
  channel: "sms" | "mms",
  { include_body, ...query }: z.output<ReturnType<typeof historyInput>>,
  ctx: ToolContext,
) =>
  trimmedPage(ctx, `${channel}/history`, query, (item: HistoryItem) =>
    historyItem(item, include_body ?? false),
  );
