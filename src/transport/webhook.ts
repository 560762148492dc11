/**
 * `POST /webhooks/clicksend/<secret>` (CLICKSEND_WEBHOOK_SECRET): where ClickSend's URL-action
 * automation rules post inbound SMS and delivery receipts. The secret in the path is the only
 * credential ClickSend can carry: it is compared in constant time, and a wrong one is the same
 * 404 as any unknown path. A body is bounded (413), parsed as JSON or form-encoded, validated to
 * the fields used (400 otherwise), answered 200 at once (a replay too), then handed on.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.js";
import { parseWebhook, type WebhookEvent } from "../push/webhook-payload.js";

export const WEBHOOK_PREFIX = "/webhooks/clicksend/";
export const MAX_WEBHOOK_BYTES = 64 * 1024;

export interface WebhookOptions {
  secret: string;
  accept(event: WebhookEvent): Promise<void>;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Whether `path` is the webhook path with this secret, in constant time. */
export function webhookMatcher(secret: string): (path: string) => boolean {
  const expected = digest(`${WEBHOOK_PREFIX}${secret}`);
  return (path) => timingSafeEqual(digest(path), expected);
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(status === 200 ? "OK" : "");
}

/** Serves one request already known to be on the webhook path. */
export async function serveWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  options: WebhookOptions,
  logger: Logger,
): Promise<void> {
  if (req.method !== "POST") return answer(res, 405, { allow: "POST" });
  if (Number(req.headers["content-length"]) > MAX_WEBHOOK_BYTES) {
    return answer(res, 413, { connection: "close" });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_WEBHOOK_BYTES) return answer(res, 413, { connection: "close" });
    chunks.push(chunk as Buffer);
  }
  const event = parseWebhook(Buffer.concat(chunks), req.headers["content-type"] ?? "");
  if (!event) {
    logger.debug("webhook: refused a body that is neither a reply nor a receipt");
    return answer(res, 400);
  }
  answer(res, 200);
  options.accept(event).catch((error: unknown) => {
    logger.warn(
      `webhook: an event was not delivered (${error instanceof Error ? error.name : "error"})`,
    );
  });
}
