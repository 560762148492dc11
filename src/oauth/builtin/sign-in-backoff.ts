/**
 * Slows password guessing per username: the first few failures cost nothing, then each further
 * one makes that username wait twice as long as the last (1 s, 2 s, 4 s, ... up to 5 min) before
 * its password is checked again. A success clears it. Per process: instances on one store each
 * keep their own count, so N instances allow N times the guesses. Unknown usernames are counted
 * the same way, so waiting never tells which usernames exist; the oldest entries make room past
 * MAX_TRACKED.
 */

const MAX_TRACKED = 10_000;
/** Usernames are at most 64 characters (people.ts); longer input is keyed by its start. */
const MAX_KEY = 100;

export interface BackoffOptions {
  now?: () => number;
  freeFailures?: number;
  firstWaitMs?: number;
  maxWaitMs?: number;
}

export class SignInBackoff {
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly now: () => number;
  private readonly freeFailures: number;
  private readonly firstWaitMs: number;
  private readonly maxWaitMs: number;

  constructor(options: BackoffOptions = {}) {
    this.now = options.now ?? Date.now;
    this.freeFailures = options.freeFailures ?? 3;
    this.firstWaitMs = options.firstWaitMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
  }

  /** How long this username must wait before its password is checked again (0: not at all). */
  waitMs(username: string): number {
    const entry = this.failures.get(username.slice(0, MAX_KEY));
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  failed(username: string): void {
    const key = username.slice(0, MAX_KEY);
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const over = count - this.freeFailures;
    const wait = over > 0 ? Math.min(this.maxWaitMs, this.firstWaitMs * 2 ** (over - 1)) : 0;
    // Re-inserted, so the map's order is the order of last failure: the oldest go first.
    this.failures.delete(key);
    this.failures.set(key, { count, until: this.now() + wait });
    if (this.failures.size > MAX_TRACKED) {
      this.failures.delete(this.failures.keys().next().value as string);
    }
  }

  succeeded(username: string): void {
    this.failures.delete(username.slice(0, MAX_KEY));
  }
}
