/**
 * Dynamic client registration needs no credential, and a registered client is kept: without a
 * bound, anyone who can reach the server could fill its store. At most `perHour` registrations
 * are taken in any hour (a sliding window, per process); beyond, the client is told when to
 * retry. A team connecting its hosts registers a few clients a person, far below it.
 */
export const REGISTRATIONS_PER_HOUR = 120;
const HOUR_MS = 3_600_000;

export class RegistrationLimit {
  private readonly taken: number[] = [];

  constructor(
    private readonly perHour = REGISTRATIONS_PER_HOUR,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when a registration may go ahead (and counts it), else the milliseconds to wait. */
  take(): number {
    const now = this.now();
    while (this.taken.length > 0 && (this.taken[0] as number) <= now - HOUR_MS) this.taken.shift();
    if (this.taken.length >= this.perHour) return (this.taken[0] as number) + HOUR_MS - now;
    this.taken.push(now);
    return 0;
  }
}
