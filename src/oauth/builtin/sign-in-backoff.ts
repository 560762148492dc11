/**
 * Slows password guessing per username: the first few failures cost nothing, then each further
 * one makes that username wait twice as long as the last (1 s, 2 s, 4 s, ... up to 5 min) before
 * its password is checked again. A success clears it. Per process: instances on one store each
 * keep their own count, so N instances allow N times the guesses.
 */

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
    const entry = this.failures.get(username);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  /** Only usernames of the people file are counted, so the map stays as small as the file. */
  failed(username: string): void {
    const count = (this.failures.get(username)?.count ?? 0) + 1;
    const over = count - this.freeFailures;
    const wait = over > 0 ? Math.min(this.maxWaitMs, this.firstWaitMs * 2 ** (over - 1)) : 0;
    this.failures.set(username, { count, until: this.now() + wait });
  }

  succeeded(username: string): void {
    this.failures.delete(username);
  }
}
