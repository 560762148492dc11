import { randomBytes, randomUUID } from "node:crypto";
import { ClickSendResponseError, FailedResultError, ToolError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import { personLabel } from "../oauth/person.js";
import { withLinks } from "../protocol/links.js";
import type { AuditRecord } from "../state/store.js";
import type { ToolContext } from "../tool/define-tool.js";
import { isoMs } from "../values.js";
import { NAME } from "../version.js";
import { askToSend } from "./ask.js";
import { auditUri } from "./audit.js";
import type { Channel, OutgoingMessage, SendArgs } from "./channel.js";
import { issueConfirmation, payloadHash, requireConfirmation } from "./confirm.js";
import { contentsOf, fingerprintOf, refuseRepeats, repeatIn } from "./duplicates.js";
import { AmbiguousSendError, refusalOutcome } from "./errors.js";
import { logSend } from "./log.js";
import { preview, quote } from "./preview.js";
import { applyQuietHours } from "./quiet-hours.js";
import { checkedRecipients, normaliseRecipients } from "./recipients.js";
import {
  hasMessageList,
  partsOfFree,
  type SendData,
  type SendSummary,
  summarise,
} from "./summary.js";

/** Masked numbers and message ids the audit keeps of one send, at most. */
const AUDIT_NUMBERS = 5;
const AUDIT_IDS = 50;

/**
 * What a send and its preview share: the messages normalised, checked against the guards (lists
 * expanded when guarded), the hash a confirmation binds, and the body as it would be posted.
 */
async function prepare(channel: Channel, args: SendArgs, ctx: ToolContext, preview = false) {
  const { idempotency_key, allow_duplicate, confirmation, ...payload } = args;
  const warnings: string[] = [...(channel.checkPayload?.(payload) ?? [])];
  const normalised = await normaliseRecipients(payload.messages);
  // A preview takes no allow_duplicate: it reports a repeat the send would refuse without one.
  const repeat = preview ? repeatIn(normalised) : undefined;
  if (repeat) warnings.push(repeat.problem);
  else if (!preview && !allow_duplicate) refuseRepeats(normalised);
  const checked = await checkedRecipients(channel, normalised, ctx.sending, ctx.client);
  warnings.push(...checked.warnings);
  const hash = payloadHash(ctx.sending.store.scope, channel, {
    ...payload,
    messages: checked.messages,
  });
  // After the hash: a confirmation binds the send asked for; the time quiet hours move it to
  // follows from the operator's rule and the clock, and may differ between preview and send.
  const { quietHours } = ctx.sending.config;
  const quiet = quietHours
    ? await applyQuietHours(quietHours, checked.messages, ctx.sending.store.now())
    : { messages: checked.messages };

  // Untagged messages get one tag per call, so the send can be found in history.
  const tag = normalised.every((m) => m.custom_string !== undefined)
    ? (normalised[0]?.custom_string as string)
    : `mcp-${randomBytes(4).toString("hex")}`;
  const complete = channel.completeMessages
    ? await channel.completeMessages(quiet.messages, ctx.client)
    : quiet.messages;
  const messages = complete.map((message) => ({
    ...message,
    source: message.source ?? NAME,
    custom_string: message.custom_string ?? tag,
  }));
  const expanded = {
    ...(checked.expanded.length
      ? {
          lists_expanded: `${checked.expanded.map((l) => `list ${l.list_id} (${l.recipients} numbers)`).join(", ")} sent as the numbers the guards checked.`,
        }
      : {}),
    ...(checked.optedOutSkipped ? { opted_out_left_out: checked.optedOutSkipped } : {}),
    ...(quiet.scheduled ? { scheduled_for_quiet_hours: quiet.scheduled } : {}),
  };
  return {
    payload,
    checked,
    body: { ...payload, messages },
    fingerprint: fingerprintOf(channel, normalised, payload.media_file),
    hash,
    tag,
    expanded,
    warnings,
  };
}

/**
 * A preview: what the send with the same arguments would post, its encoding, parts and price
 * quote, warnings, and a confirmation for exactly that send. Nothing is sent.
 */
export async function previewSend(channel: Channel, args: SendArgs, ctx: ToolContext) {
  const { body, hash, expanded, warnings } = await prepare(channel, args, ctx, true);
  const quoted = await preview(channel, body, warnings, ctx);
  const confirmation = await issueConfirmation(ctx, channel, hash, warnings);
  return {
    preview: `Nothing was sent. To send exactly this, call ${channel.tool} with the same arguments and this confirmation.`,
    ...quoted,
    ...expanded,
    ...confirmation,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Refusals of an answer that is spent, too old, or older than a no: the person is asked anew. */
const ASK_AGAIN = new Set([
  "confirmation_used",
  "confirmation_unknown",
  "confirmation_expired",
  "declined",
]);

/**
 * The one way anything is sent: confirmation required (unless the host can ask its user)? ->
 * normalise -> guards (lists expanded when guarded) -> the host can ask: the user says yes or no
 * (ask.ts), every time -> quote when a spend limit is set -> reserve in the send store (key,
 * duplicate window, daily limits (the account's, and over OAuth the person's), the confirmation
 * or the answer's token, a standing no: one atomic step) -> tag -> post once, never retried ->
 * settle by outcome -> summarise.
 */
export async function send(channel: Channel, args: SendArgs, ctx: ToolContext) {
  const { idempotency_key, allow_duplicate, confirmation } = args;
  const { config, store } = ctx.sending;
  // Asked of the host's user when it can ask (below); else the operator's rule applies now,
  // before anything leaves.
  if (!ctx.askUser) requireConfirmation(ctx, channel, confirmation);
  const prepared = await prepare(channel, args, ctx);
  const { payload, checked, body, fingerprint, hash, tag, expanded, warnings } = prepared;
  const consent = ctx.askUser
    ? await askToSend(channel, prepared, args, ctx)
    : confirmation !== undefined
      ? { token: confirmation, payload: hash }
      : undefined;
  const { person } = ctx;
  const personLimits = person ? personLimitsOf(config) : undefined;
  const spend =
    config.dailySpendLimit !== undefined || personLimits?.dailySpend !== undefined
      ? await quote(channel, body, ctx.client)
      : undefined;

  const id = randomUUID();
  const contents = contentsOf(channel, checked.messages, payload.media_file);
  const reservation = await store.reserve({
    id,
    tag,
    ...(idempotency_key !== undefined ? { key: idempotency_key } : {}),
    fingerprint,
    contents: [...contents.keys()],
    duplicateWindowMs: allow_duplicate ? 0 : config.duplicateWindowS * 1000,
    messages: checked.count,
    ...(spend ? { amount: spend.total } : {}),
    limits: {
      ...(config.dailyMessageLimit !== undefined
        ? { dailyMessages: config.dailyMessageLimit }
        : {}),
      ...(config.dailySpendLimit !== undefined ? { dailySpend: config.dailySpendLimit } : {}),
    },
    ...(person ? { person: { sub: person.sub, ...personLimits } } : {}),
    ...(consent ? { confirmation: consent } : {}),
    // Asked anyway, a preview's confirmation passed along is spent too: it confirms one send.
    ...(ctx.askUser && confirmation !== undefined
      ? { preview: { token: confirmation, payload: hash } }
      : {}),
    payload: hash,
    ...(ctx.askUser ? { answered: true } : {}),
  });
  if (!reservation.ok) {
    const { refusal } = reservation;
    if (ctx.askUser && ASK_AGAIN.has(refusal.kind) && !("preview" in refusal)) {
      await askToSend(channel, prepared, args, ctx, true);
    }
    return refusalOutcome(reservation.refusal, {
      key: idempotency_key,
      now: store.now(),
      channel,
      contents,
      ...(spend?.currency ? { currency: spend.currency } : {}),
      ...(person ? { person } : {}),
    });
  }

  const audit = {
    ...auditOf(id, channel, tag, store.now(), checked.messages, checked.count),
    ...(person ? { by: { sub: person.sub, ...(person.name ? { name: person.name } : {}) } } : {}),
  };
  const later = auditLater(ctx, audit, warnings);
  const landed = ctx.sending.inFlight.add(id, async () => {
    await settleSafely(ctx, id, { outcome: "maybe_sent" }, warnings);
    await later({ outcome: "maybe_sent", reason: "ServerExited" });
  });
  try {
    await later({ outcome: "pending" });

    let data: SendData;
    try {
      data = await ctx.client.post<SendData>(channel.sendPath, body);
      if (!hasMessageList(data)) {
        // SUCCESS without the per-message outcomes: whatever was queued is unknown, not nothing.
        throw new ClickSendResponseError(
          { method: "POST", path: channel.sendPath },
          200,
          "maybe_sent",
          `ClickSend answered POST /${channel.sendPath} with SUCCESS but no list of messages, so what it queued is unknown.`,
        );
      }
    } catch (error) {
      const maybe = error instanceof ToolError && error.outcome === "maybe_sent";
      await settleSafely(ctx, id, { outcome: maybe ? "maybe_sent" : "not_sent" }, warnings);
      await later({ outcome: maybe ? "maybe_sent" : "not_sent", reason: reasonOf(error) });
      if (error instanceof ToolError && maybe) {
        ctx.logger.warn(
          `${channel.tool}${person ? ` by ${personLabel(person)}` : ""}: outcome unknown (${error.name}), tag ${tag}, not retried`,
        );
        throw new AmbiguousSendError(error, channel.findSend(tag));
      }
      throw error;
    }
    const summary = summarise(channel, data, await partsOfFree(channel, data));
    const sent = summary.queued_count > 0;
    const messageIds = (summary.queued ?? []).flatMap((m) => (m.message_id ? [m.message_id] : []));
    logSend(ctx.logger, {
      tool: channel.tool,
      queued: summary.queued_count,
      failed: summary.failed_count,
      total_price: summary.total_price,
      ...(summary.currency !== undefined ? { currency: summary.currency } : {}),
      message_ids: messageIds,
      sandbox: ctx.sandbox,
      ...(person ? { by: person } : {}),
    });
    await settleSafely(
      ctx,
      id,
      sent
        ? {
            outcome: "sent",
            messages: summary.queued_count,
            amount: summary.total_price,
            result: redacted({ ...summary, tag }),
          }
        : { outcome: "not_sent" },
      warnings,
    );
    await later({
      outcome: sent ? "sent" : "not_sent",
      messages: summary.queued_count,
      price: summary.total_price,
      ...(summary.currency !== undefined ? { currency: summary.currency } : {}),
      message_ids: messageIds.slice(0, AUDIT_IDS),
    });
    const day = audit.at.slice(0, 10);
    const result = {
      ...summary,
      tag,
      ...expanded,
      audit: auditUri(day),
      ...(warnings.length ? { warnings } : {}),
    };
    if (!sent) {
      throw new FailedResultError(
        summary.failed_count === 0
          ? "The contact lists have no contacts with a phone number."
          : summary.failed_count === 1
            ? "The message failed; see failures."
            : `All ${summary.failed_count} messages failed; see failures.`,
        result,
      );
    }
    return withLinks(result, [
      {
        uri: auditUri(day),
        name: `sends-${day}`,
        description: "What was sent that day: tags, message ids, counts, prices, outcomes",
        mimeType: "application/json",
      },
    ]);
  } finally {
    landed();
  }
}

/** The operator's per-person limits, as a reservation carries them. */
function personLimitsOf(config: ToolContext["sending"]["config"]) {
  return {
    ...(config.personDailyMessageLimit !== undefined
      ? { dailyMessages: config.personDailyMessageLimit }
      : {}),
    ...(config.personDailySpendLimit !== undefined
      ? { dailySpend: config.personDailySpendLimit }
      : {}),
  };
}

function auditOf(
  id: string,
  channel: Channel,
  tag: string,
  now: number,
  messages: OutgoingMessage[],
  recipients: number,
): AuditRecord {
  const numbers = messages.flatMap((m) => (m.to ? [maskPhoneNumbers(m.to)] : []));
  const lists = [...new Set(messages.flatMap((m) => (m.list_id !== undefined ? [m.list_id] : [])))];
  return {
    id,
    at: isoMs(now),
    tool: channel.tool,
    tag,
    outcome: "pending",
    recipients,
    ...(numbers.length ? { to: numbers.slice(0, AUDIT_NUMBERS) } : {}),
    ...(lists.length ? { lists } : {}),
  };
}

/**
 * Records the send's progress in the audit. The audit is a record, not a guard: if it cannot
 * be written the send's result says so, and nothing else changes.
 */
function auditLater(ctx: ToolContext, audit: AuditRecord, warnings: string[]) {
  return async (update: Partial<AuditRecord>) => {
    try {
      await ctx.sending.store.record({ ...audit, ...update });
    } catch (error) {
      ctx.logger.warn(`send audit not written: ${reasonOf(error)}`);
      if (update.outcome !== "pending") warnings.push("The send audit could not be written.");
    }
  };
}

/**
 * Settles a reservation. After the request left, a store failure must not turn a send into an
 * error: the reservation then stays as taken (counted, key held), which errs on the safe side.
 */
async function settleSafely(
  ctx: ToolContext,
  id: string,
  settlement: Parameters<ToolContext["sending"]["store"]["settle"]>[1],
  warnings: string[],
): Promise<void> {
  try {
    await ctx.sending.store.settle(id, settlement);
  } catch (error) {
    ctx.logger.warn(`send state not settled: ${reasonOf(error)}`);
    warnings.push(
      "The send state could not be updated: this send stays counted against the limits and its idempotency_key stays held.",
    );
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.name : "error");

/** The result kept for a repeat of the idempotency key: numbers masked, nothing else personal. */
function redacted(summary: SendSummary & { tag: string }): Record<string, unknown> {
  return JSON.parse(maskPhoneNumbers(JSON.stringify(summary))) as Record<string, unknown>;
}
