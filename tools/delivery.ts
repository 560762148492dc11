import { setTimeout as delay } from "node:timers/promises";
import * as z from "zod";
import { path } from "../src/client/path.js";
import { ClickSendApiError, FailedResultError, UserInputError } from "../src/errors.js";
import { dayOf } from "../src/state/store.js";
import type { ToolContext } from "../src/tool/define-tool.js";
import { fence } from "../src/tool/untrusted.js";
import { isoTime, numberOf } from "../src/values.js";
import { unixTime } from "./inputs.js";

/**
 * Did a send go out, and did it reach the handset: history read from the send's time and matched
 * locally by tag (custom_string is not a q field of the history endpoints, clicksend-api.md §15),
 * plus receipts for what history has not settled. get_send_status looks once; await_delivery
 * polls until nothing is pending.
 */

const CHANNELS = {
  sms: { history: "sms/history", receipts: true },
  mms: { history: "mms/history", receipts: false },
} as const;
type Channel = keyof typeof CHANNELS;

/** History is read from this long before the send: clocks differ, the audit is written first. */
const SLACK_S = 300;
/** A send this server made is in history within this long of its audit time: one request. */
const SPAN_S = 600;
const PAGE = 100;
const MAX_PAGES = 10;
/** Receipts read per look, one request each. */
const MAX_RECEIPTS = 20;
/** Rows shown; the counts cover every message. */
const MAX_ROWS = 25;
const DEFAULT_LOOKBACK_S = 86_400;

/** ClickSend's test numbers: accepted, never delivered, no receipt (§1.12). */
const TEST_NUMBERS = new Set([
  "+61411111111",
  "+61422222222",
  "+61433333333",
  "+61444444444",
  "+14055555555",
  "+14055555666",
  "+447777777777",
  "+8615555555555",
]);

const UUID = /^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$/i;
/** Checked by refinement so tools/list says format "uuid", not the pattern. */
const messageId = z
  .string()
  .refine((value) => UUID.test(value), "must be a message_id (a UUID)")
  .meta({ format: "uuid" });

export const sendSelector = {
  tag: z.string().min(1).max(255).optional().describe("The send's tag (custom_string)"),
  message_ids: z.array(messageId).min(1).max(100).optional().describe("Or these message ids"),
  since: unixTime
    .optional()
    .describe("When it was sent; default: from this server's send audit, else 24 h ago"),
  channel: z.enum(["sms", "mms"]).optional().describe("Default: the send's, else sms"),
};

/** The refinement every selector needs: something to look for. */
export function needsTarget(value: { tag?: unknown; message_ids?: unknown }, ctx: z.RefinementCtx) {
  if (value.tag === undefined && value.message_ids === undefined) {
    ctx.addIssue({ code: "custom", path: ["tag"], message: "required: give tag or message_ids" });
  }
}

type Selector = {
  tag?: string | undefined;
  message_ids?: string[] | undefined;
  since?: number | undefined;
  channel?: Channel | undefined;
};

/** What a look is about, resolved once: the channel, where history starts, how many to expect. */
export interface Target {
  tag?: string;
  ids?: Set<string>;
  channel: Channel;
  /** Unix seconds. */
  since: number;
  /** Unix seconds: the end of the window when the audit gave the send's time. */
  until?: number;
  /** Messages the send queued, when this server sent it. */
  expected?: number;
}

export async function resolveTarget(selector: Selector, ctx: ToolContext): Promise<Target> {
  const ids = selector.message_ids?.map((id) => id.toUpperCase());
  const sent =
    selector.since === undefined || !selector.channel ? await audited(selector, ctx) : undefined;
  const kind = selector.channel ?? sent?.channel ?? "sms";
  if (kind === "voice") {
    throw new UserInputError(
      "tag: this send was a voice call; get_send_status and await_delivery read SMS and MMS only.",
      ["tag"],
    );
  }
  const since =
    selector.since ?? (sent ? sent.at : Math.floor(ctx.clock.now() / 1000) - DEFAULT_LOOKBACK_S);
  return {
    ...(selector.tag !== undefined ? { tag: selector.tag } : {}),
    ...(ids ? { ids: new Set(ids) } : {}),
    channel: kind,
    since,
    ...(sent && selector.since === undefined ? { until: sent.at + SPAN_S } : {}),
    ...(sent?.expected !== undefined && ids === undefined ? { expected: sent.expected } : {}),
  };
}

/** The send in this server's audit (the last 7 days, newest first), by tag or message id. */
async function audited(selector: Selector, { sending, clock }: ToolContext) {
  const ids = new Set(selector.message_ids?.map((id) => id.toUpperCase()));
  for (let day = 0; day < 7; day++) {
    const records = await sending.store.auditDay(dayOf(clock.now() - day * 86_400_000));
    const record = records
      .reverse()
      .find(
        (r) =>
          (selector.tag !== undefined && r.tag === selector.tag) ||
          r.message_ids?.some((id) => ids.has(id.toUpperCase())),
      );
    if (record) {
      return {
        channel: record.tool.replace(/^send_/, "") as Channel | "voice",
        at: Math.floor(Date.parse(record.at) / 1000),
        expected: record.outcome === "sent" ? record.messages : undefined,
      };
    }
  }
  return undefined;
}

interface HistoryItem {
  message_id: string;
  date?: number | string;
  date_added?: number | string;
  to?: string;
  status?: string;
  status_code?: number | string | null;
  status_text?: string | null;
  error_text?: string | null;
  custom_string?: string | null;
  schedule?: number | string;
}

interface Receipt {
  status_code?: number | string;
  status_text?: string | null;
  error_text?: string | null;
}

export type State = "delivered" | "failed" | "pending" | "scheduled" | "cancelled" | "test_number";
const STATES: State[] = ["failed", "pending", "scheduled", "cancelled", "test_number", "delivered"];

/** A message's fate: the receipt when there is one, else its history status. */
function stateOf(item: HistoryItem, receipt?: Receipt): State {
  const code = numberOf(receipt?.status_code ?? item.status_code);
  if (code === 201) return "delivered";
  if (code === 301 || item.status === "Failed") return "failed";
  if (item.status?.startsWith("Cancelled")) return "cancelled";
  if (item.status === "Scheduled") return "scheduled";
  if (item.to && TEST_NUMBERS.has(item.to)) return "test_number";
  return "pending";
}

function row(item: HistoryItem, state: State, receipt?: Receipt) {
  const error = receipt?.error_text ?? item.error_text;
  const detail =
    state === "scheduled"
      ? `due ${isoTime(item.schedule)}`
      : state === "failed" || state === "pending"
        ? (receipt?.status_text ?? item.status_text ?? item.status)
        : undefined;
  return {
    message_id: item.message_id,
    to: item.to,
    status: state,
    detail,
    error: error ? fence(error) : undefined,
  };
}

/** lookUp's result, as get_send_status returns it with its next step. */
export const sendStatusOutput = z.object({
  tag: z.string().optional(),
  channel: z.enum(["sms", "mms"]),
  searched_from: z.string(),
  accepted: z.int(),
  counts: z.object(Object.fromEntries(STATES.map((s) => [s, z.int().optional()]))),
  messages: z.array(
    z.object({
      message_id: z.string(),
      to: z.string().optional(),
      status: z.enum(STATES),
      detail: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  more_messages: z.int().optional(),
  not_found: z.array(z.string()).optional(),
  unchecked: z.array(z.string()).optional(),
  next: z.string(),
});

/** waitForDelivery's result, as await_delivery returns it. */
export const deliveryOutput = sendStatusOutput.extend({
  waited_s: z.int(),
  outcome: z.enum(["settled", "timed_out", "not_found"]),
});

export interface SendStatus {
  tag?: string;
  channel: Channel;
  searched_from: string;
  /** In history: ClickSend queued them. */
  accepted: number;
  counts: Partial<Record<State, number>>;
  messages: Array<ReturnType<typeof row>>;
  more_messages?: number;
  not_found?: string[];
  unchecked?: string[];
}

/** One look: history from the send's time, matched locally, and receipts of what is pending. */
export async function lookUp(target: Target, { client }: ToolContext): Promise<SendStatus> {
  const channel = CHANNELS[target.channel];
  const from = target.since - SLACK_S;
  const matches: HistoryItem[] = [];
  const unchecked: string[] = [];
  const wanted = (item: HistoryItem) =>
    (target.tag !== undefined && item.custom_string === target.tag) ||
    (target.ids?.has(item.message_id.toUpperCase()) ?? false);
  const complete = () =>
    target.ids
      ? matches.length >= target.ids.size
      : target.expected !== undefined && matches.length >= target.expected;

  for (let page = 1; ; page++) {
    const result = await client.page<HistoryItem>(channel.history, {
      date_from: from,
      date_to: target.until,
      page,
      limit: PAGE,
    });
    matches.push(...result.items.filter(wanted));
    if (!result.has_more || complete()) break;
    if (page === MAX_PAGES) {
      const last = result.items.at(-1);
      unchecked.push(
        `history after ${isoTime(last?.date ?? last?.date_added)} (${MAX_PAGES} pages read): look again with that as since`,
      );
      break;
    }
  }

  const receipts = new Map<string, Receipt>();
  if (channel.receipts) {
    const pending = matches.filter((m) => stateOf(m) === "pending");
    for (const item of pending.slice(0, MAX_RECEIPTS)) {
      const receipt = await receiptOf(item.message_id, client);
      if (receipt) receipts.set(item.message_id, receipt);
    }
    if (pending.length > MAX_RECEIPTS) {
      unchecked.push(`receipts of ${pending.length - MAX_RECEIPTS} pending messages`);
    }
  }

  const rows = matches
    .map((item) => {
      const receipt = receipts.get(item.message_id);
      return row(item, stateOf(item, receipt), receipt);
    })
    .sort((a, b) => STATES.indexOf(a.status) - STATES.indexOf(b.status));
  const counts: Partial<Record<State, number>> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const seen = new Set(matches.map((m) => m.message_id.toUpperCase()));
  const notFound = [...(target.ids ?? [])].filter((id) => !seen.has(id));
  return {
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
    channel: target.channel,
    searched_from: isoTime(from) ?? String(from),
    accepted: matches.length,
    counts,
    messages: rows.slice(0, MAX_ROWS),
    ...(rows.length > MAX_ROWS ? { more_messages: rows.length - MAX_ROWS } : {}),
    ...(notFound.length ? { not_found: notFound } : {}),
    ...(unchecked.length ? { unchecked } : {}),
  };
}

/** A message's receipt, or undefined while there is none (404). */
async function receiptOf(id: string, client: ToolContext["client"]): Promise<Receipt | undefined> {
  try {
    return await client.get<Receipt>(path`sms/receipts/${id}`);
  } catch (error) {
    if (error instanceof ClickSendApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** What the model should make of a status. */
export function nextStep(status: SendStatus): string {
  if (status.accepted === 0) {
    return `Not in ${status.channel.toUpperCase()} history since ${status.searched_from}: ClickSend has not accepted it. History can lag by a minute: look again before sending again.`;
  }
  const pending = status.counts.pending ?? 0;
  return [
    "Accepted by ClickSend: do not send it again.",
    pending ? `${pending} not yet reported by the network: look again later.` : "",
    status.counts.test_number ? "ClickSend test numbers never get a delivery report." : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** "2 delivered, 1 pending" */
export const countsText = (status: SendStatus) =>
  Object.entries(status.counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(", ") || "none found";

/** Poll intervals: quick at first, then every 5 s. */
const INTERVALS_MS = [2000, 3000, 5000];

/**
 * Claude Code moves an MCP call past 120 s into the background, and such results have been lost
 * (anthropics/claude-code#78407, #78566): a wait answers within HARD_LIMIT_S whatever happens,
 * waiting at most MAX_WAIT_S and leaving the rest for the last look.
 */
export const MAX_WAIT_S = 90;
const HARD_LIMIT_S = 100;

/** The look, or undefined when it has not answered by `deadlineMs` (wall clock, not ctx.clock). */
async function lookWithin(target: Target, ctx: ToolContext, waitMs: number) {
  const stop = new AbortController();
  const late = delay(Math.max(0, waitMs), undefined, { signal: stop.signal }).then(
    () => undefined,
    () => undefined,
  );
  try {
    return await Promise.race([lookUp(target, ctx), late]);
  } finally {
    stop.abort();
  }
}

/** Exactly how to go on with a send still pending: the selector to pass again. */
export function continueWith(target: Target): string {
  const selector =
    target.tag !== undefined
      ? `tag ${target.tag}`
      : `message_ids ${[...(target.ids ?? [])].join(", ")}`;
  return `To go on, call await_delivery again with ${selector}, channel ${target.channel} and since ${target.since} (waits up to ${MAX_WAIT_S} s more), or get_send_status with the same arguments for one look.`;
}

/**
 * Looks until nothing is pending or the timeout passes, reporting progress as seconds waited out
 * of the timeout (it always grows; settled counts may not). Message ids not yet in history count
 * as pending.
 */
export async function waitForDelivery(
  target: Target,
  timeoutS: number,
  ctx: ToolContext,
): Promise<SendStatus & { waited_s: number; outcome: "settled" | "timed_out" | "not_found" }> {
  const start = ctx.clock.now();
  const deadline = start + Math.min(timeoutS, MAX_WAIT_S) * 1000;
  const waited = () => Math.round((ctx.clock.now() - start) / 1000);
  let last: SendStatus | undefined;
  for (let poll = 0; ; poll++) {
    const status = await lookWithin(target, ctx, start + HARD_LIMIT_S * 1000 - ctx.clock.now());
    if (!status) {
      const note = `ClickSend did not answer within ${HARD_LIMIT_S} s. ${continueWith(target)}`;
      if (!last) throw new FailedResultError(note, { next: note });
      return {
        ...last,
        waited_s: waited(),
        outcome: "timed_out",
        unchecked: [
          ...(last.unchecked ?? []),
          "the last look, which ClickSend did not answer in time",
        ],
      };
    }
    last = status;
    const waiting = (status.counts.pending ?? 0) + (status.not_found?.length ?? 0);
    ctx.progress(waited(), timeoutS, countsText(status));
    const left = deadline - ctx.clock.now();
    // A send not in history at all has nothing to wait for.
    if (status.accepted === 0 || waiting === 0 || left <= 0) {
      const outcome = !status.accepted ? "not_found" : waiting ? "timed_out" : "settled";
      return { ...status, waited_s: waited(), outcome };
    }
    try {
      await ctx.clock.sleep(Math.min(INTERVALS_MS[poll] ?? 5000, left), ctx.signal);
    } catch (error) {
      if (!ctx.signal.aborted) throw error;
      throw new FailedResultError(
        `Cancelled after ${waited()} s; last look: ${countsText(status)}.`,
        status,
      );
    }
  }
}
