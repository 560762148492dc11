/**
 * Every failure the model can see. Each error knows whether the request may have taken effect,
 * so a failed call always tells the model whether anything was sent or changed.
 */
export type Outcome = "not_sent" | "maybe_sent";

export abstract class ToolError extends Error {
  abstract readonly outcome: Outcome;
  /** True when the message already says what may have happened and what to do. */
  readonly explainsOutcome: boolean = false;
}

/** Bad arguments: refused before any request leaves the process. */
export class UserInputError extends ToolError {
  override name = "UserInputError";
  readonly outcome = "not_sent" as const;
  constructor(
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

/** Refused by a local rule (operator guards, duplicate protection): nothing sent. */
export class RefusedError extends ToolError {
  override name = "RefusedError";
  readonly outcome = "not_sent" as const;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

export interface RequestInfo {
  method: string;
  /** Path relative to the base URL, without the query string. */
  path: string;
}

/**
 * What a 403 or 404 should tell the model to do next, declared by the tool that made the request
 * (ToolDefinition.ids): the framework knows no endpoint and no tool.
 */
export interface IdHints {
  /** Said after "Check the id." on a 404, e.g. "Find contact ids with list_contacts.". */
  find?: string;
  /** The next step of a 403 when, for this request, it means an id that is not the caller's. */
  forbidden?: string;
  /** The request carries no id: a 404 means its endpoint is missing, so the base URL is wrong. */
  noId?: boolean;
}

/** A tool's id hints: the same for every request it makes, or chosen per request. */
export type ToolIds = IdHints | ((request: RequestInfo) => IdHints);

/** ClickSend answered with a non-2xx status or a failing response_code. */
export class ClickSendApiError extends ToolError {
  override name = "ClickSendApiError";
  readonly outcome: Outcome;
  constructor(
    readonly request: RequestInfo,
    readonly status: number,
    readonly responseCode: string,
    readonly responseMsg: string,
    readonly fieldErrors: Record<string, string> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super();
    this.message = this.explain();
    // A 5xx on a write may have been processed before it failed; a 4xx was refused.
    this.outcome = status >= 500 && request.method !== "GET" ? "maybe_sent" : "not_sent";
  }

  /** What ClickSend refused and what to do next, with the calling tool's id hints. */
  explain(hints: IdHints = {}): string {
    const fieldText = Object.entries(this.fieldErrors)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ");
    const { method, path } = this.request;
    const what = `ClickSend refused ${method} /${path} (HTTP ${this.status} ${this.responseCode}: ${this.responseMsg}${fieldText ? `; ${fieldText}` : ""}).`;
    return `${what} ${nextStep(this.request, this.status, hints, this.retryAfterSeconds)}`;
  }
}

/** The request never got a usable answer: timeout, refused or reset connection. */
export class ClickSendNetworkError extends ToolError {
  override name = "ClickSendNetworkError";
  constructor(
    readonly request: RequestInfo,
    readonly kind: "timeout" | "refused" | "reset" | "aborted" | "network",
    readonly outcome: Outcome,
    detail: string,
  ) {
    super(detail);
  }
}

/** ClickSend answered, but not with its JSON envelope (HTML error page, empty or cut body). */
export class ClickSendResponseError extends ToolError {
  override name = "ClickSendResponseError";
  constructor(
    readonly request: RequestInfo,
    readonly status: number,
    readonly outcome: Outcome,
    detail: string,
  ) {
    super(detail);
  }
}

function nextStep(
  request: RequestInfo,
  status: number,
  hints: IdHints,
  retryAfter?: number,
): string {
  if (status === 401) {
    return "The credentials were rejected: check CLICKSEND_USERNAME and CLICKSEND_API_KEY (or CLICKSEND_BEARER_TOKEN behind a gateway).";
  }
  if (status === 403) {
    return (
      hints.forbidden ??
      "The account is not allowed to do this (suspended, or no permission on this resource)."
    );
  }
  if (status === 404) {
    return hints.noId
      ? "This endpoint was not found: check CLICKSEND_BASE_URL."
      : `Check the id. ${hints.find ?? "The resource does not exist."}`;
  }
  if (status === 429) {
    return retryAfter !== undefined
      ? `Rate-limited: retry after ${retryAfter} seconds.`
      : "Rate-limited: wait a little before retrying.";
  }
  if (status >= 500) {
    return request.method === "GET"
      ? "ClickSend failed; this read is safe to retry."
      : "ClickSend failed while handling the request.";
  }
  return "Fix the request and try again.";
}

/**
 * One message for the model: what happened and whether anything was sent or changed. `ids` are
 * the failing tool's id hints, for the next step of a 403 or 404.
 */
export function formatToolError(
  error: unknown,
  opts: { readOnly: boolean; ids?: ToolIds | undefined },
): string {
  if (error instanceof UserInputError || error instanceof RefusedError) {
    return `${error.message} Nothing was sent.`;
  }
  if (error instanceof ToolError) {
    const { ids } = opts;
    const message =
      error instanceof ClickSendApiError && ids
        ? error.explain(typeof ids === "function" ? ids(error.request) : ids)
        : error.message;
    if (opts.readOnly) return message;
    if (error.explainsOutcome) return message;
    return error.outcome === "not_sent"
      ? `${message} Nothing was sent or changed.`
      : `${message} The request reached ClickSend and may have taken effect: check before trying again.`;
  }
  // Unknown errors never leak their internals (they could carry request headers).
  return "Internal error in clicksend-mcp; the outcome of this call is unknown.";
}

/** The call completed but its result is a failure the model must see with its details. */
export class FailedResultError extends ToolError {
  override name = "FailedResultError";
  constructor(
    message: string,
    readonly data: unknown,
    readonly outcome: Outcome = "not_sent",
  ) {
    super(message);
  }
}

/**
 * The send state (limits, duplicate window, idempotency keys) could not be read or written, so
 * no send may leave: the guards would not hold. Reads are unaffected.
 */
export class StateStoreError extends ToolError {
  override name = "StateStoreError";
  readonly outcome = "not_sent" as const;
}
