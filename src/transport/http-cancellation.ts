/**
 * Cancellation for 2025 clients over stateless HTTP. Such a client cancels a call by POSTing
 * notifications/cancelled, which arrives as a separate request to a server instance that knows
 * nothing of the call; this registry finds the call's own exchange and closes it, which aborts
 * the call (its requests to ClickSend included), as stdio and 2026 clients get by themselves.
 *
 * A call is known by the request id together with who sent it (Authorization header and
 * remote address), so one client cannot cancel another's call by guessing its id.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";

interface Message {
  id?: unknown;
  method?: unknown;
  params?: { requestId?: unknown; _meta?: Record<string, unknown> };
}

const asMessage = (body: unknown): Message | undefined =>
  body && typeof body === "object" && !Array.isArray(body) ? (body as Message) : undefined;

function keyOf(req: IncomingMessage, id: unknown): string {
  const sender = createHash("sha256")
    .update(`${req.headers.authorization ?? ""}\u0000${req.socket.remoteAddress ?? ""}`)
    .digest("base64url");
  return `${sender}\u0000${JSON.stringify(id)}`;
}

export class LegacyCancellation {
  private readonly calls = new Map<string, ServerResponse>();

  /** Remembers a 2025-era request until its exchange ends; acts on a cancellation. */
  observe(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const message = asMessage(body);
    if (!message || typeof message.method !== "string") return;
    if (message.params?._meta?.[PROTOCOL_VERSION_META_KEY] !== undefined) return;
    if (message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId;
      if (requestId !== undefined) this.calls.get(keyOf(req, requestId))?.destroy();
      return;
    }
    if (message.id === undefined || message.id === null) return;
    const key = keyOf(req, message.id);
    // A second request with the same id from the same sender: the newer one is the one to cancel.
    this.calls.set(key, res);
    res.once("close", () => {
      if (this.calls.get(key) === res) this.calls.delete(key);
    });
  }
}
