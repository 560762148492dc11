/** Faults tests can inject on the next N requests to a route. */
export type Fault =
  | { type: "status"; status: number; body?: unknown; retryAfter?: number }
  | { type: "delay"; ms: number }
  | { type: "html"; status?: number }
  | { type: "empty"; status?: number }
  | { type: "truncated" }
  /** Close the connection before handling the request: nothing happens. */
  | { type: "drop" }
  /** Handle the request (a send really happens), then close the connection without answering. */
  | { type: "drop_after" }
  /** Handle the request, send the headers, then the body one byte every intervalMs. */
  | { type: "trickle"; intervalMs: number }
  /** Answer with a redirect to location (another origin, say) without handling the request. */
  | { type: "redirect"; status: 301 | 302 | 303 | 307 | 308; location: string }
  /** A 400 whose message and field errors echo the Authorization header and the request body. */
  | { type: "echo" }
  /**
   * A 200 of `bytes` bytes of valid JSON, made as it is written (never held in memory), its
   * length in Content-Length when `declared`, else chunked.
   */
  | { type: "oversized"; bytes: number; declared?: boolean };

export interface FaultRule {
  method?: string;
  /** A path relative to the API root ("sms/send") or a pattern. */
  path: string | RegExp;
  times: number;
  fault: Fault;
}

export class FaultInjector {
  private rules: FaultRule[] = [];

  inject(rule: Omit<FaultRule, "times"> & { times?: number }): void {
    this.rules.push({ ...rule, times: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Takes the first matching fault, counting it down. */
  take(method: string, path: string): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method.toUpperCase() === method) &&
        (typeof r.path === "string" ? r.path === path : r.path.test(path)),
    );
    if (!rule) return undefined;
    rule.times -= 1;
    this.rules = this.rules.filter((r) => r.times > 0);
    return rule.fault;
  }
}
