/**
 * What a ClickSend URL-action automation rule posts (docs: clicksend-api.md §5.7): an inbound SMS
 * (`from`, `body`, `message_id`…) or a delivery receipt (`message_id`, `status_code`…), as JSON
 * (`json` rules) or form-encoded (`post`, ClickSend's default). Only the fields used are read,
 * each bounded; everything else is dropped. Nothing here is trusted beyond "this id changed".
 */
import * as z from "zod";
import { normalisePhone } from "../sending/phone.js";

/** One accepted event: a reply from `number`, or a receipt for the message `id`. */
export type WebhookEvent =
  | { kind: "reply"; id: string; number: string; body: string }
  | { kind: "receipt"; id: string; sentAt?: number | undefined };

const id = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,64}$/)
  .transform((s) => s.toUpperCase());
const text = z.union([z.string(), z.number()]).transform(String);
const time = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().int().positive());

const inbound = z.object({
  message_id: id,
  from: text.pipe(z.string().max(32)),
  body: z.string().max(5000).default(""),
});
const receipt = z.object({
  message_id: id,
  status_code: text.pipe(z.string().max(8)),
  timestamp_send: time.optional().catch(undefined),
});

/** The fields of a JSON object body or a form-encoded one; undefined when neither. */
function fieldsOf(raw: Buffer, contentType: string): Record<string, unknown> | undefined {
  const type = contentType.split(";")[0]?.trim().toLowerCase();
  const textBody = raw.toString("utf8");
  if (type === "application/json") {
    try {
      const parsed: unknown = JSON.parse(textBody);
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    return Object.fromEntries(new URLSearchParams(textBody));
  }
  return undefined;
}

/** The event a body carries, or undefined when it is neither a reply nor a receipt. */
export function parseWebhook(raw: Buffer, contentType: string): WebhookEvent | undefined {
  const fields = fieldsOf(raw, contentType);
  if (!fields) return undefined;
  // A receipt has a status and no body; an inbound message has a sender and a body.
  if (fields.status_code !== undefined && fields.body === undefined) {
    const r = receipt.safeParse(fields);
    return r.success
      ? { kind: "receipt", id: r.data.message_id, sentAt: r.data.timestamp_send }
      : undefined;
  }
  const m = inbound.safeParse(fields);
  if (!m.success) return undefined;
  try {
    const number = normalisePhone("from", m.data.from.trim()).e164;
    return { kind: "reply", id: m.data.message_id, number, body: m.data.body };
  } catch {
    return undefined;
  }
}
