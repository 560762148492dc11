/**
 * Sends whose request may have left this process and whose answer it has not read yet. When the
 * process must exit first (the host went away, SIGTERM), each is settled as "may have been sent",
 * as after any crash: counted against the limits, its idempotency key held, the audit saying so.
 */
export class InFlightSends {
  private readonly abandons = new Map<string, () => Promise<void>>();

  /** Registers a send; call the returned function once its outcome is settled. */
  add(id: string, abandon: () => Promise<void>): () => void {
    this.abandons.set(id, abandon);
    return () => {
      this.abandons.delete(id);
    };
  }

  /** Settles every send still in flight as maybe sent; resolves when all are written. */
  async abandonAll(): Promise<void> {
    const pending = [...this.abandons.values()];
    this.abandons.clear();
    await Promise.allSettled(pending.map((abandon) => abandon()));
  }
}
