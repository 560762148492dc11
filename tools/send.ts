import { z } from "zod";
import type { ToolAnnotations, ToolContext } from "../src/define-tool.js";
import { FailedResultError } from "../src/errors.js";
import { e164, id, pageInput, searchInput, unixTime } from "./inputs.js";
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
      to: e164.optional().describe("E.164 number, e.g. +61411111111; or list_id"),
      list_id: id("Contact list id (list_contact_lists): sends to each contact").optional(),
      body,
      ...extra,
      schedule: unixTime.optional().describe("Send later: Unix seconds or ISO 8601"),
      custom_string: z.string().optional().describe("Your reference, kept in history"),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, "must be an ISO alpha-2 code like AU")
        .optional()
        .describe("Recipient country, ISO alpha-2"),
      source: z.string().optional().describe(`App name; default ${SOURCE}`),
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

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

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
    reason: REASONS[status] ?? status,
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

/**
 * Posts a send (never retried: the client retries GET only) and summarises it: counts, the
 * price of what was queued, failures first. Throws when nothing was queued.
 */
export async function send(
  channel: "sms" | "mms" | "voice",
  payload: { messages: Array<{ source?: string }> } & Record<string, unknown>,
  { client, signal }: ToolContext,
) {
  const body = {
    ...payload,
    messages: payload.messages.map((message) => ({ ...message, source: message.source ?? SOURCE })),
  };
  const data = await client.post<SendData>(`${channel}/send`, body, { signal });
  const all = data.messages ?? [];
  const failures = all.filter((m) => m.status !== "SUCCESS").map(failure);
  const queued = all.filter((m) => m.status === "SUCCESS").map(queuedMessage);
  const result = {
    queued_count: queued.length,
    failed_count: failures.length,
    total_price: round4(queued.reduce((sum, row) => sum + (row.price ?? 0), 0)),
    currency: data._currency?.currency_name_short,
    ...(failures.length ? { failures } : {}),
    ...(queued.length ? { queued } : {}),
  };
  if (queued.length === 0) {
    throw new FailedResultError(
      failures.length === 0
        ? "The contact lists have no contacts with a phone number."
        : failures.length === 1
          ? "The message failed; see failures."
          : `All ${failures.length} messages failed; see failures.`,
      result,
    );
  }
  return result;
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

/** What an agent needs of a sent message; render() drops the empty fields. */
function historyItem(item: HistoryItem) {
  return {
    message_id: item.message_id,
    date: isoTime(item.date ?? item.date_added),
    to: item.to,
    from: item.from,
    subject: item.subject,
    body: item.body,
    status: item.status,
    status_code: item.status_code,
    status_text: item.status_text,
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
  args: z.output<ReturnType<typeof historyInput>>,
  ctx: ToolContext,
) => trimmedPage(ctx, `${channel}/history`, args, historyItem);
