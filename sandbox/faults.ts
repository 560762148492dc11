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
  | { type: "drop_after" };

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
