import * as z from "zod";
import type { RequestClient } from "../src/client/client.js";
import { path } from "../src/client/path.js";
import { RefusedError } from "../src/errors.js";
import type { Channel, ListMember, OptOutList } from "../src/sending/channel.js";
import type { ToolContext } from "../src/tool/define-tool.js";
import { fence, fenceField, TEXT_CHARS } from "../src/tool/untrusted.js";
import { isoTime, numberOf } from "../src/values.js";
import { NAME } from "../src/version.js";
import {
  countryCode,
  id,
  pageInput,
  SCHEDULE_HORIZON_DAYS,
  scheduleTime,
  unixTime,
  visible,
} from "./inputs.js";
import { findOptOutList } from "./lists.js";
import { numberOrString, optionalText, pageOf } from "./outputs.js";
import { type SearchFields, searchInput } from "./search.js";

/**
 * What the send tools (send_sms, send_mms, send_voice) and the history tools share: message
 * schemas, ClickSend's status codes in plain words, and the channel facts the send pipeline in
 * src/sending/ is given.
 */

/** Required text: refuses "", whitespace and invisible characters only; never trims what is sent. */
export const text = (max: number) => z.string().max(max).superRefine(visible("must not be empty"));

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
        .describe("E.164 (+61411111111), or local with country"),
      list_id: id("Contact list (list_contact_lists) instead of to: sends to each").optional(),
      body,
      ...extra,
      schedule: scheduleTime
        .optional()
        .describe(
          `Send later, within ${SCHEDULE_HORIZON_DAYS} days: Unix seconds or ISO 8601 with zone`,
        ),
      custom_string: z.string().max(255).optional().describe("Your reference, kept in history"),
      country: countryCode("Recipient country, ISO alpha-2").optional(),
      source: z.string().max(100).optional().describe(`App name; default ${NAME}`),
    })
    .superRefine(oneRecipient);
}

export const messages = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, "must have at least 1 message").max(1000, "must have at most 1000 messages");

/** Plain words for ClickSend's per-message status codes; anything else is shown as the code. */
const REASONS: Record<string, string> = {
  INVALID_RECIPIENT: "not a valid number for its country",
  INSUFFICIENT_CREDIT: "not enough credit in the account; top it up and send again",
  COUNTRY_NOT_ENABLED: "sending to this country is not enabled for the account (dashboard setting)",
  EMPTY_MESSAGE: "the message body is empty",
  MISSING_REQUIRED_FIELDS: "a required field is missing",
  INVALID_SENDER_ID: "the sender ID (from) is not one the account can use (list_sender_ids)",
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

/**
 * Pages of the opt-out list a send reads, at most (100 contacts each). Every send reads the list
 * (cached for a minute), so its cost is bounded; a longer list refuses the send, as checking
 * only part of it would be a guess.
 */
export const OPT_OUT_MAX_PAGES = 50;

/** Every contact of a list, page by page: what a guarded list send is checked against. */
async function listMembers(
  listId: number,
  client: RequestClient,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<ListMember[]> {
  const members: ListMember[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const result = await client.page<ListMember>(path`lists/${listId}/contacts`, {
      page,
      limit: 100,
    });
    members.push(...result.items);
    if (!result.has_more) return members;
  }
  throw new RefusedError(
    `The account's opt-out list (list ${listId}) has more than ${maxPages * 100} contacts, more than a send reads to check its recipients, so no send can be checked against it. Sends from the ClickSend dashboard apply the list themselves.`,
  );
}

/** The account's opt-out list with its members, which sends leave out or warn about. */
async function optOuts(client: RequestClient): Promise<OptOutList | undefined> {
  const list = await findOptOutList(client);
  if (!list) return undefined;
  return {
    list_id: list.list_id,
    members: await listMembers(list.list_id, client, OPT_OUT_MAX_PAGES),
  };
}

/** A channel as the send pipeline needs it: its endpoints and where to look after a send. */
export const channel = (
  kind: string,
  findSend: Channel["findSend"],
  facts: Pick<Channel, "words" | "measurer"> &
    Partial<Pick<Channel, "partLimit" | "completeMessages" | "checkPayload">>,
): Channel => ({
  kind,
  tool: `send_${kind}`,
  previewTool: `preview_${kind}`,
  sendPath: `${kind}/send`,
  pricePath: `${kind}/price`,
  findSend,
  describeStatus: (status) => REASONS[status] ?? status,
  listMembers,
  optOuts,
  removeOptedOut: "delete_opted_out_contacts",
  ...facts,
});

/**
 * A preview tool's input: what would be sent. The send tool takes the same schema, extended with
 * its options (withSendOptions). dry_run, which previews replaced, and the send's options get
 * an answer that says where they belong.
 */
export const previewInput = <T extends z.ZodRawShape>(
  shape: T,
  { tool, previewTool }: Pick<Channel, "tool" | "previewTool">,
) =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      if (issue.keys.includes("dry_run"))
        return `dry_run is gone: ${previewTool} previews a send and sends nothing`;
      if (issue.keys.some((key) => key in sendOptions))
        return `${Object.keys(sendOptions).join(", ")} are ${tool} options; a preview takes only what is sent`;
      return undefined;
    },
  });

/** What a send takes beside what it sends (and its preview does not). */
const sendOptions = {
  idempotency_key: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("A repeat within 24 h returns the first result, sends nothing"),
  allow_duplicate: z
    .boolean()
    .optional()
    .describe("Send even if identical to a send in the last few minutes"),
};

/** A send tool's input: its preview's (the same schema, not a copy), its options, the confirmation. */
export const withSendOptions = <T extends z.ZodRawShape>(
  input: z.ZodObject<T, z.core.$strict>,
  previewTool: string,
) =>
  input.extend({
    ...sendOptions,
    confirmation: z.string().max(100).optional().describe(`From ${previewTool} of this exact send`),
  });

export interface HistoryItem {
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

/** historyItem's result; a channel's own fields extend it. */
export const historyItemOutput = z.object({
  message_id: z.string(),
  date: optionalText,
  to: optionalText,
  from: optionalText,
  subject: optionalText,
  body: optionalText,
  status: optionalText,
  status_code: z.number().optional(),
  status_text: optionalText,
  error_text: optionalText,
  parts: z.number().optional(),
  price: z.number().optional(),
  custom_string: optionalText,
  list_id: numberOrString.optional(),
  contact_id: numberOrString.optional(),
  schedule: optionalText,
  media_file: optionalText,
});

export const historyOutput = pageOf(historyItemOutput);

/**
 * What an agent needs of a sent message; render() drops the empty fields. Texts sent to other
 * people come back only when asked for: they are private, and most of a page's bytes. Texts,
 * senders, references and carriers' words may be anyone's on the account: fenced.
 */
function historyItem(item: HistoryItem, includeBody: boolean) {
  return {
    message_id: item.message_id,
    date: isoTime(item.date ?? item.date_added),
    to: item.to,
    from: fenceField(item.from),
    subject: fenceField(item.subject),
    body: includeBody ? fence(item.body, TEXT_CHARS) : undefined,
    status: item.status,
    status_code: numberOf(item.status_code),
    // "Delivered" beside status_code 200/201 says nothing new; failures keep their text.
    status_text: delivered(item.status_code) ? undefined : fenceField(item.status_text),
    error_text: fenceField(item.error_text),
    parts: numberOf(item.message_parts),
    price: numberOf(item.message_price),
    custom_string: fenceField(item.custom_string),
    list_id: item.list_id,
    contact_id: item.contact_id,
    schedule: item.status === "Scheduled" ? isoTime(item.schedule) : undefined,
    media_file: item._media_file_url,
  };
}

export const historyInput = (fields: SearchFields) =>
  z
    .strictObject({
      ...pageInput,
      date_from: unixTime.optional().describe("Sent at or after"),
      date_to: unixTime.optional().describe("Sent at or before"),
      ...searchInput(fields),
      include_body: z.boolean().optional().describe("Include each message's text"),
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

/** A page of history; `more` adds a channel's own fields to each item. */
export const history = <T extends HistoryItem>(
  path: string,
  { include_body, ...query }: z.output<ReturnType<typeof historyInput>>,
  { client }: ToolContext,
  more?: (item: T) => object,
) =>
  client.page(path, query, (item: T) => ({
    ...historyItem(item, include_body ?? false),
    ...more?.(item),
  }));
