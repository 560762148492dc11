import { createHash } from "node:crypto";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SendRecord<T> {
  at: number;
  /** The result of the first send, or undefined while it is in flight or when its outcome is unknown. */
  result?: T;
  outcome: "pending" | "sent" | "maybe_sent";
  tag: string;
  /** What was sent, so a key reused for a different send is recognised. */
  fingerprint: string;
}

/**
 * Remembers sends so an agent's retry cannot text anyone twice: by idempotency_key for 24 hours,
 * and by content (channel, recipients, body) within the duplicate window. Only hashes are kept.
 */
export class SendLedger<T> {
  private byKey = new Map<string, SendRecord<T>>();
  private byContent = new Map<string, SendRecord<T>>();

  constructor(
    private readonly duplicateWindowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  static fingerprint(parts: unknown): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  }

  private prune(): void {
    const t = this.clock();
    for (const [k, r] of this.byKey) if (t - r.at > DAY_MS) this.byKey.delete(k);
    for (const [k, r] of this.byContent)
      if (t - r.at > this.duplicateWindowMs) this.byContent.delete(k);
  }

  findKey(key: string): SendRecord<T> | undefined {
    this.prune();
    return this.byKey.get(key);
  }

  findDuplicate(fingerprint: string): SendRecord<T> | undefined {
    if (this.duplicateWindowMs <= 0) return undefined;
    this.prune();
    return this.byContent.get(fingerprint);
  }

  /** Call before the request leaves; returns a function that settles or forgets the record. */
  begin(params: { key?: string; fingerprint: string; tag: string }) {
    const record: SendRecord<T> = {
      at: this.clock(),
      outcome: "pending",
      tag: params.tag,
      fingerprint: params.fingerprint,
    };
    if (params.key) this.byKey.set(params.key, record);
    if (this.duplicateWindowMs > 0) this.byContent.set(params.fingerprint, record);
    return {
      sent: (result: T) => {
        record.outcome = "sent";
        record.result = result;
      },
      maybeSent: () => {
        record.outcome = "maybe_sent";
      },
      /** Nothing left the process, or ClickSend refused it: forget, so a retry is allowed. */
      notSent: () => {
        if (params.key && this.byKey.get(params.key) === record) this.byKey.delete(params.key);
        if (this.byContent.get(params.fingerprint) === record)
          this.byContent.delete(params.fingerprint);
      },
    };
  }
}
