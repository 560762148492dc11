/**
 * Where the watcher's changes go: the server instances of this stdio connection (one, or a
 * discarded probe and the one pinned). Each learns from its client what to push:
 *
 * - notifications/resources/updated for a changed conversation: on a 2025 connection for the
 *   URIs it subscribed to (resources/subscribe); on a 2026-07-28 connection for every changed one,
 *   which the SDK's stdio entry hands only to open subscriptions/listen streams that named it;
 * - notifications/claude/channel for each new reply, to Claude Code (it names itself
 *   "claude-code" and declares nothing: it delivers channel events only when the user started
 *   it with --channels, and drops them otherwise) and to any client that declares
 *   experimental["claude/channel"].
 */
import type { ProtocolEra, Server } from "@modelcontextprotocol/server";
import type { Logger } from "../logger.js";
import { CHANNEL_CAPABILITY } from "../protocol/selection.js";
import type { WatchedReply } from "./source.js";
import { conversationUri, Subscriptions } from "./subscriptions.js";
import type { Changes } from "./watcher.js";

/** Claude Code's channel event. */
export const CHANNEL_METHOD = "notifications/claude/channel";

export interface Connection {
  era: ProtocolEra;
  subscriptions: Subscriptions;
  /** A 2026-07-28 client takes channel events, by its envelope (2025: read at initialize). */
  channel: boolean;
}

interface Attached extends Connection {
  server: Server;
}

/** The client name Claude Code gives in initialize (clientInfo.name). */
export const CLAUDE_CODE = "claude-code";

/** Whether a client takes channel events: Claude Code by name, or any that declares them. */
export const takesChannel = (
  capabilities: { experimental?: object | undefined } | undefined,
  clientName: string | undefined,
) =>
  clientName === CLAUDE_CODE || Object.hasOwn(capabilities?.experimental ?? {}, CHANNEL_CAPABILITY);

export class PushHub {
  private readonly connections = new Set<Attached>();

  constructor(private readonly logger: Logger) {}

  /** Registers a server instance; it leaves when it closes. */
  attach(server: Server, era: ProtocolEra): Connection {
    const connection: Attached = {
      server,
      era,
      subscriptions: new Subscriptions(),
      channel: false,
    };
    this.connections.add(connection);
    const previous = server.onclose;
    server.onclose = () => {
      this.connections.delete(connection);
      previous?.();
    };
    return connection;
  }

  /** Pushes one look's changes to every instance; a failed push is logged, never thrown. */
  async deliver(changes: Changes): Promise<void> {
    for (const c of this.connections) {
      for (const number of changes.numbers) {
        const uri = conversationUri(number);
        if (c.era === "legacy" && !c.subscriptions.has(uri)) continue;
        await this.send(() => c.server.sendResourceUpdated({ uri }));
      }
      const channel =
        c.channel ||
        (c.era === "legacy" &&
          takesChannel(c.server.getClientCapabilities(), c.server.getClientVersion()?.name));
      if (!channel) continue;
      for (const reply of changes.replies) {
        await this.send(() => c.server.notification(channelEvent(reply)));
      }
    }
  }

  private async send(push: () => Promise<void>): Promise<void> {
    try {
      await push();
    } catch (error) {
      this.logger.debug(`push not sent: ${error instanceof Error ? error.name : "error"}`);
    }
  }
}

/** A reply as Claude Code's channel event: the fenced content, and its attributes. */
export const channelEvent = (reply: WatchedReply) => ({
  method: CHANNEL_METHOD,
  params: { content: reply.content, meta: reply.meta },
});
