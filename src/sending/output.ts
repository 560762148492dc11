import * as z from "zod";
import type { Shaped } from "../tool/define-tool.js";
import type { previewSend, send } from "./pipeline.js";

/**
 * What send_sms, send_mms and send_voice return without isError, as structuredContent carries
 * it: a send (summarise() in summary.ts, plus the tag, the audit URI and what the guards did), or
 * the first result of a repeated idempotency_key (marked replayed). One object with the fields of
 * both: hosts expect an object schema, and code that reads a result checks replayed either way.
 */
const idLike = z.union([z.number(), z.string()]);
const recipient = {
  to: z.string().optional(),
  list_id: idLike.optional(),
  contact_id: idLike.optional(),
};

export const sendOutput = z.object({
  queued_count: z.int().optional(),
  failed_count: z.int().optional(),
  total_price: z.number(),
  currency: z.string().optional(),
  failures: z
    .array(
      z.object({
        ...recipient,
        status: z.string(),
        reason: z.string(),
        message_id: z.string().optional(),
      }),
    )
    .optional(),
  queued: z
    .array(
      z.object({
        ...recipient,
        status: z.string().optional(),
        message_id: z.string().optional(),
        parts: z.number().optional(),
        price: z.number().optional(),
        schedule: z.string().optional(),
      }),
    )
    .optional(),
  tag: z.string().optional(),
  audit: z.string().optional(),
  replayed: z.string().optional(),
  lists_expanded: z.string().optional(),
  opted_out_left_out: z.int().optional(),
  scheduled_for_quiet_hours: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

export type SendOutput = z.input<typeof sendOutput>;

/** What every channel's preview tool returns (previewSend in pipeline.ts). */
export const previewOutput = z.object({
  preview: z.string(),
  recipients: z.int(),
  would_queue: z.int(),
  total_price: z.number(),
  currency: z.string().optional(),
  messages: z.array(
    z.object({
      to: z.string().optional(),
      list_id: z.number().optional(),
      recipients: z.int().optional(),
      encoding: z.enum(["GSM-7", "UCS-2"]),
      parts: z.int(),
      unicode_chars: z.array(z.string()).optional(),
      price: z.number(),
    }),
  ),
  lists_expanded: z.string().optional(),
  opted_out_left_out: z.int().optional(),
  scheduled_for_quiet_hours: z.string().optional(),
  confirmation: z.string().optional(),
  confirmation_expires_at: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

/**
 * The tools cast send()'s result to SendOutput, as a replayed result comes back from the store
 * untyped (Record<string, unknown>); the two shapes send() builds are checked here instead.
 */
type Built = Awaited<ReturnType<typeof send>>;
type Checked<T extends Shaped<SendOutput>> = T;
export type BuiltSendResults = Checked<Extract<Built, { audit: string }>>;
type CheckedPreview<T extends Shaped<z.input<typeof previewOutput>>> = T;
export type BuiltPreview = CheckedPreview<Awaited<ReturnType<typeof previewSend>>>;
