/**
 * Where accepted webhook events go (src/push/webhook-payload.ts): deduplicated by message id
 * (a per-process LRU, and with Redis `SET NX PX` so a replay to another instance counts once),
 * turned into the conversation that changed, and announced as `resource_updated` on the SDK's
 * event bus, which the HTTP handler's open `subscriptions/listen` streams read. With Redis every
 * accepted event is published on `clicksend-mcp:<account scope>:replies` and every instance,
 * this one included, announces it to its own listeners. Logs carry counts and error names only.
 */

import type { ServerEventBus } from "@modelcontextprotocol/server";
import { createClient } from "@redis/client";
import type { Logger } from "../logger.js";
import { isOptOutReply } from "../sending/opt-out-words.js";
import { conversationUri, numberOfConversation } from "./subscriptions.js";
import type { WebhookEvent } from "./webhook-payload.js";

/** Ids remembered per process; the least recently seen go first. */
const MAX_SEEN = 10_000;
/** How long Redis remembers an id: ClickSend retries within hours, not days. */
const SEEN_TTL_MS = 24 * 3_600_000;
/** How long a start waits for Redis to take the webhook's subscription. */
const CONNECT_TIMEOUT_MS = 10_000;
const REDIS_LATE = `CLICKSEND_REDIS_URL: Redis did not answer within ${CONNECT_TIMEOUT_MS / 1000} s, so the webhook cannot share events`;

export interface InboxOptions {
  bus: ServerEventBus;
  logger: Logger;
  /** The number a receipt's message went to, when it can be found. */
  recipient(event: Extract<WebhookEvent, { kind: "receipt" }>): Promise<string | undefined>;
  /** Keeps the sender of an opt-out reply as opted out. */
  /** Keeps a number opted out; a failure is the caller's to log, never thrown. */
  optOut(number: string): Promise<unknown>;
  redis?: { url: string; scope: string };
}

export interface Inbox {
  /** Settles once the event is announced, or known to be a replay. */
  accept(event: WebhookEvent): Promise<void>;
  close(): Promise<void>;
}

class Lru {
  private readonly ids = new Set<string>();
  /** True when the id was new. */
  add(id: string): boolean {
    const fresh = !this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > MAX_SEEN) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return fresh;
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : "error");

export async function openInbox(options: InboxOptions): Promise<Inbox> {
  const { bus, logger } = options;
  const seen = new Lru();
  const announce = (uri: string) => bus.publish({ kind: "resource_updated", uri });
  const shared = options.redis ? await openShared(options.redis, announce, logger) : undefined;

  return {
    async accept(event) {
      const key = `${event.kind}:${event.id}`;
      if (!seen.add(key)) return;
      if (shared && !(await shared.first(key))) return;
      const number =
        event.kind === "reply"
          ? event.number
          : await options.recipient(event).catch(() => undefined);
      if (event.kind === "reply" && isOptOutReply(event.body)) await options.optOut(event.number);
      if (number === undefined) return;
      const uri = conversationUri(number);
      if (!shared || !(await shared.publish(uri))) announce(uri);
    },
    close: async () => shared?.close(),
  };
}

/** Redis: the replay guard and the channel every instance listens on. */
async function openShared(
  { url, scope }: { url: string; scope: string },
  announce: (uri: string) => void,
  logger: Logger,
) {
  const channel = `clicksend-mcp:${scope}:replies`;
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
  });
  client.on("error", () => {});
  const subscriber = client.duplicate();
  subscriber.on("error", () => {});
  const ready = (async () => {
    await Promise.all([client.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel, (message) => {
      // Only a conversation URI is acted on, whoever published it.
      if (numberOfConversation(message) !== undefined) announce(message);
    });
  })();
  // node-redis retries a first connection for ever: a start must not wait silently.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(REDIS_LATE)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([ready, late]);
  } catch (error) {
    client.destroy();
    subscriber.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    /** True unless another delivery of this id was accepted first (anywhere). */
    async first(key: string): Promise<boolean> {
      try {
        const set = await client.set(`clicksend-mcp:${scope}:webhook:${key}`, "1", {
          NX: true,
          PX: SEEN_TTL_MS,
        });
        return set !== null;
      } catch (error) {
        logger.warn(`webhook: Redis replay check failed (${errorName(error)}); accepted`);
        return true;
      }
    },
    /** False when Redis could not take it (then only this instance's listeners hear of it). */
    async publish(uri: string): Promise<boolean> {
      try {
        await client.publish(channel, uri);
        return true;
      } catch (error) {
        logger.warn(`webhook: Redis publish failed (${errorName(error)})`);
        return false;
      }
    },
    async close() {
      await Promise.allSettled([subscriber.close(), client.close()]);
    },
  };
}
