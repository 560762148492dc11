/**
 * The reply watcher: while a stdio host is connected, looks for new replies and receipts every
 * interval and hands what is new to `deliver`. One look at a time (the next is scheduled when one
 * ends); after a failure it waits longer, doubling up to 16 intervals (at most 15 minutes). It
 * only reads: nothing is ever marked read, so the agent's unread lists are as they were. The
 * first look only learns what is already unread: a start does not push the backlog.
 */
import { bindClient, type ClickSendClient } from "../client/client.js";
import { type Clock, systemClock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { ReplySource, WatchedReply } from "./source.js";

/** What one look found new. */
export interface Changes {
  /** E.164 numbers whose conversation changed: a new reply from them, or a receipt to them. */
  numbers: Set<string>;
  /** The new replies, in the order ClickSend listed them. */
  replies: WatchedReply[];
}

export interface WatcherOptions {
  intervalMs: number;
  source: ReplySource;
  client: ClickSendClient;
  deliver(changes: Changes): Promise<void>;
  logger: Logger;
  /** Time; tests give one that does not wait. */
  clock?: Clock;
}

export interface Watcher {
  /** Stops at once: the look under way is aborted, no other starts. */
  stop(): void;
  /** Settles when the loop has ended. */
  done: Promise<void>;
}

/** Most ids remembered as seen; the least recently listed go first. */
const MAX_SEEN = 10_000;
const MAX_BACKOFF = 16;
const MAX_WAIT_MS = 15 * 60_000;

/** Ids seen, oldest listing first; an id listed again moves to the end. */
class Seen {
  private readonly ids = new Set<string>();
  has(id: string): boolean {
    return this.ids.has(id);
  }
  touch(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > MAX_SEEN) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}

export function startWatcher(options: WatcherOptions): Watcher {
  const { source, logger, clock = systemClock } = options;
  const controller = new AbortController();
  const { signal } = controller;
  const client = bindClient(options.client, signal);
  const seen = new Seen();
  let baseline = true;

  async function look(): Promise<void> {
    const { replies, receipts } = await source.unread(client);
    const fresh = replies.filter((r) => !seen.has(`reply:${r.id}`));
    const delivered = receipts.filter((r) => !seen.has(`receipt:${r.id}`));
    const numbers = new Set(fresh.flatMap((r) => (r.number ? [r.number] : [])));
    if (!baseline && delivered.length) {
      for (const number of (await source.recipients(client, delivered)).values()) {
        numbers.add(number);
      }
    }
    for (const r of replies) seen.touch(`reply:${r.id}`);
    for (const r of receipts) seen.touch(`receipt:${r.id}`);
    if (baseline) {
      baseline = false;
      return;
    }
    if (fresh.length || numbers.size) {
      // Counts only: never a number or a text in the logs.
      logger.debug(
        `reply watcher: ${fresh.length} new repl${fresh.length === 1 ? "y" : "ies"}, ${delivered.length} new receipt(s)`,
      );
      await options.deliver({ numbers, replies: fresh });
    }
  }

  const done = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await look();
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures = Math.min(failures + 1, Math.log2(MAX_BACKOFF));
        logger.warn(
          `reply watcher: a look failed (${error instanceof Error ? error.name : "error"}); waiting ${2 ** failures} intervals`,
        );
      }
      try {
        await clock.sleep(Math.min(options.intervalMs * 2 ** failures, MAX_WAIT_MS), signal);
      } catch {
        break;
      }
    }
  })();

  return { stop: () => controller.abort(), done };
}
