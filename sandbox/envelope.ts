/** Responses in ClickSend's envelope, including every error. */
export interface SandboxResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function ok(message: string, data: unknown): SandboxResponse {
  return {
    status: 200,
    body: { http_code: 200, response_code: "SUCCESS", response_msg: message, data },
  };
}

export function fail(
  status: number,
  code: string,
  message: string,
  data: unknown = null,
): SandboxResponse {
  return { status, body: { http_code: status, response_code: code, response_msg: message, data } };
}

export const notFoundEndpoint = () => fail(404, "NOT_FOUND", "Invalid endpoint. Please try again.");
export const unauthorized = () => fail(401, "UNAUTHORIZED", "Authorization failed.");
export const listForbidden = () =>
  fail(
    403,
    "FORBIDDEN",
    "Resource not found or you don't have the permissions to access this resource.",
  );
export const badRequest = (message: string, fields?: Record<string, string>) =>
  fail(400, "BAD_REQUEST", message, fields ?? null);

/** The body ClickSend sends for a status, used by fault injection. */
export function errorBodyFor(status: number): SandboxResponse {
  switch (status) {
    case 400:
      return badRequest("Invalid input.", { body: "Body field is required." });
    case 401:
      return unauthorized();
    case 403:
      return listForbidden();
    case 404:
      return fail(404, "NOT_FOUND", "Resource not found.");
    case 429:
      return fail(429, "TOO_MANY_REQUESTS", "Too many attempts.");
    default:
      return fail(status, "INTERNAL_SERVER_ERROR", "Something went wrong.");
  }
}
