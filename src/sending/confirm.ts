import { randomBytes } from "node:crypto";
import { RefusedError } from "../errors.js";
import { sha256 } from "../state/ledger.js";
import type { ToolContext } from "../tool/define-tool.js";
import { isoMs } from "../values.js";
import type { Channel } from "./channel.js";

/**
 * Confirmations: a preview issues a single-use token bound to a hash of exactly what the send
 * would post and the account; the send presents it, and the send store checks and consumes it
 * in the same atomic step as the rest of the reservation (state/ledger.ts). The token proves
 * that a preview of this payload was made, not that a person read it.
 */

/** JSON with object keys sorted: equal payloads hash equally whatever order their keys came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * What a confirmation binds: the account, the channel and the payload as it would be posted
 * (numbers in E.164, times in Unix seconds, lists as the guards left them), before the
 * server adds its own tag and source.
 */
export const payloadHash = (scope: string, channel: Channel, payload: object): string =>
  sha256(canonical([scope, channel.kind, payload]));

/**
 * What the person's answer binds: the payload's hash (account, channel, payload) and the
 * arguments that change what the send may do beyond it.
 */
export const answerSubject = (
  payload: string,
  args: { allow_duplicate?: boolean | undefined; idempotency_key?: string | undefined },
): string =>
  sha256(canonical([payload, args.allow_duplicate === true, args.idempotency_key ?? null]));

/** Issues a confirmation for this payload; a store that cannot record one leaves a warning. */
export async function issueConfirmation(
  ctx: ToolContext,
  channel: Channel,
  payload: string,
  warnings: string[],
): Promise<{ confirmation?: string; confirmation_expires_at?: string }> {
  const { store, config } = ctx.sending;
  const token = `cf_${randomBytes(16).toString("base64url")}`;
  const ttlMs = config.confirmationTtlS * 1000;
  try {
    await store.issue({ token, payload, channel: channel.kind, ttlMs });
  } catch (error) {
    ctx.logger.warn(`confirmation not issued: ${error instanceof Error ? error.name : "error"}`);
    warnings.push(
      `No confirmation was issued: the send state store is unavailable, so ${channel.tool} cannot be confirmed now.`,
    );
    return {};
  }
  return { confirmation: token, confirmation_expires_at: isoMs(store.now() + ttlMs) };
}

/** Refuses a send without a confirmation when the operator requires one; nothing has left yet. */
export function requireConfirmation(ctx: ToolContext, channel: Channel, token?: string): void {
  if (ctx.sending.config.requireConfirmation && token === undefined) {
    throw new RefusedError(
      `confirmation: required (CLICKSEND_REQUIRE_CONFIRMATION is on). Call ${channel.previewTool} with the same arguments, show the user its recipients, text and price, then repeat this call with its confirmation.`,
    );
  }
}
