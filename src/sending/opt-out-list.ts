import type { OptOutList } from "./channel.js";

/** How long the account's opt-out list, once read, stands for it. */
export const OPT_OUT_LIST_CACHE_MS = 60_000;

/**
 * The account's opt-out list as last read, per account scope, for OPT_OUT_LIST_CACHE_MS: a burst
 * of sends reads it once, and sends running together share one read. A failed read is not kept.
 * Someone added to the list meanwhile is seen within the minute; a reply seen by this server is
 * seen at once, through the send store's marks.
 */
export class OptOutListCache {
  private readonly reads = new Map<string, { at: number; list: Promise<OptOutList | undefined> }>();

  constructor(private readonly ttlMs = OPT_OUT_LIST_CACHE_MS) {}

  get(
    scope: string,
    now: number,
    read: () => Promise<OptOutList | undefined>,
  ): Promise<OptOutList | undefined> {
    const kept = this.reads.get(scope);
    // A clock set back does not stretch a read's life.
    if (kept && now >= kept.at && now - kept.at < this.ttlMs) return kept.list;
    const list = read();
    this.reads.set(scope, { at: now, list });
    list.catch(() => {
      if (this.reads.get(scope)?.list === list) this.reads.delete(scope);
    });
    return list;
  }
}
