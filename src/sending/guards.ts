import { RefusedError } from "../errors.js";

export interface GuardConfig {
  /** E.164 numbers and prefixes ending in "*" ("+61*"). Unset: any recipient. */
  allowedRecipients?: string[];
  maxRecipientsPerCall?: number;
  /** Messages per rolling 24 hours, counted by this server. */
  dailyMessageLimit?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Operator rules set by the account owner in the host config; shared by every transport. */
export class SendGuard {
  private sent: Array<{ at: number; count: number }> = [];

  constructor(
    readonly config: GuardConfig,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Messages counted in the last 24 hours. */
  sentToday(): number {
    const since = this.clock() - DAY_MS;
    this.sent = this.sent.filter((entry) => entry.at > since);
    return this.sent.reduce((sum, entry) => sum + entry.count, 0);
  }

  isAllowed(number: string): boolean {
    const allowed = this.config.allowedRecipients;
    if (!allowed) return true;
    return allowed.some((rule) =>
      rule.endsWith("*") ? number.startsWith(rule.slice(0, -1)) : number === rule,
    );
  }

  /**
   * Refuses a send before anything leaves the process.
   * listSizes: recipients per list_id in this call, looked up beforehand.
   */
  check(params: {
    numbers: string[];
    listSizes: Map<number, number>;
    listNumbers: string[];
  }): void {
    const fromLists = [...params.listSizes.values()].reduce((a, b) => a + b, 0);
    const total = params.numbers.length + fromLists;
    const listNote = params.listSizes.size
      ? ` (${[...params.listSizes].map(([id, n]) => `list ${id} has ${n} recipient${n === 1 ? "" : "s"}`).join(", ")})`
      : "";
    const { maxRecipientsPerCall, dailyMessageLimit, allowedRecipients } = this.config;
    if (maxRecipientsPerCall !== undefined && total > maxRecipientsPerCall) {
      throw new RefusedError(
        `Refused by CLICKSEND_MAX_RECIPIENTS_PER_CALL: the limit is ${maxRecipientsPerCall} recipients per call and this call has ${total}${listNote}.`,
      );
    }
    if (dailyMessageLimit !== undefined) {
      const today = this.sentToday();
      if (today + total > dailyMessageLimit) {
        throw new RefusedError(
          `Refused by CLICKSEND_DAILY_MESSAGE_LIMIT: the limit is ${dailyMessageLimit} messages per 24 hours, ${today} were sent in the last 24 hours and this call has ${total}${listNote}.`,
        );
      }
    }
    if (allowedRecipients) {
      const denied = [...params.numbers, ...params.listNumbers].filter((n) => !this.isAllowed(n));
      if (denied.length) {
        throw new RefusedError(
          `Refused by CLICKSEND_ALLOWED_RECIPIENTS (${allowedRecipients.join(", ")}): ${denied.length} recipient${denied.length === 1 ? " is" : "s are"} not allowed, e.g. ${maskNumber(denied[0] as string)}${listNote}.`,
        );
      }
    }
  }

  record(count: number): void {
    if (count <= 0) return;
    this.sent.push({ at: this.clock(), count });
    this.sentToday(); // prunes entries older than a day, so the log stays bounded
  }
}

/** +61411111111 -> +614111***11: enough to recognise, not enough to leak. */
export function maskNumber(number: string): string {
  if (number.length <= 6) return number;
  return `${number.slice(0, 6)}***${number.slice(-2)}`;
}
