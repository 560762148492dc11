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
    super(
      describeApiError(request, status, responseCode, responseMsg, fieldErrors, retryAfterSeconds),
    );
    // A 5xx on a write may have been processed before it failed; a 4xx was refused.
    this.outcome = status >= 500 && request.method !== "GET" ? "maybe_sent" : "not_sent";
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

function describeApiError(
  request: RequestInfo,
  status: number,
  code: string,
  msg: string,
  fields: Record<string, string>,
  retryAfter?: number,
): string {
  const fieldText = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  const what = `ClickSend refused ${request.method} /${request.path} (HTTP ${status} ${code}: ${msg}${fieldText ? `; ${fieldText}` : ""}).`;
  return `${what} ${nextStep(request, status, retryAfter)}`;
}

function nextStep(request: RequestInfo, status: number, retryAfter?: number): string {
  if (status === 401) {
    return "The credentials were rejected: check CLICKSEND_USERNAME and CLICKSEND_API_KEY (or CLICKSEND_BEARER_TOKEN behind a gateway).";
  }
  if (status === 403) {
    if (request.path.startsWith("lists")) {
      return "The list does not exist or is not yours: find list ids with list_contact_lists.";
    }
    return "The account is not allowed to do this (suspended, or no permission on this resource).";
  }
  if (status === 404) return whereIdsComeFrom(request.path);
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

function whereIdsComeFrom(path: string): string {
  if (/\/(send|price)$/.test(path)) return "This endpoint was not found: check CLICKSEND_BASE_URL.";
  return `Check the id. ${idSource(path)}`;
}

function idSource(path: string): string {
  if (path.includes("/contacts")) return "Find contact ids with list_contacts.";
  if (path.startsWith("lists")) return "Find list ids with list_contact_lists.";
  if (path.startsWith("sms/templates")) return "Find template ids with list_templates.";
  if (path.startsWith("email/addresses")) return "Find ids with list_email_addresses.";
  if (path.startsWith("sms")) return "Find message ids with list_sms_history.";
  return "The resource does not exist.";
}

/** One message for the model: what happened and whether anything was sent or changed. */
export function formatToolError(error: unknown, opts: { readOnly: boolean }): string {
  if (error instanceof UserInputError || error instanceof RefusedError) {
    return `${error.message} Nothing was sent.`;
  }
  if (error instanceof ToolError) {
    if (opts.readOnly) return error.message;
    if (error.explainsOutcome) return error.message;
    return error.outcome === "not_sent"
      ? `${error.message} Nothing was sent or changed.`
      : `${error.message} The request reached ClickSend and may have taken effect: check before trying again.`;
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
