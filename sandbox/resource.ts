import { badRequest, ok, type SandboxResponse } from "./envelope.js";
import { paginate, search } from "./pagination.js";
import type { SandboxRequest } from "./router.js";

/** Helpers shared by the route files (sandbox/routes/): pages, ids, bodies and required fields. */

/** A Laravel page of the items left after q and order_by. */
export function pageOf<T extends object>(
  req: SandboxRequest,
  items: T[],
  message = "Here are your data.",
): SandboxResponse {
  return ok(message, paginate(search(items, req.query), req.query, req.url));
}

/** The item whose integer id equals a path parameter ("00428" and "4x" match nothing). */
export function findById<T>(items: T[], key: keyof T, raw: string | undefined): T | undefined {
  if (!raw || !/^[1-9]\d*$/.test(raw)) return undefined;
  const wanted = Number(raw);
  return items.find((item) => item[key] === wanted);
}

/** A JSON value as an object; anything else reads as an empty one. */
export function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The JSON body as an object; anything else reads as an empty body. */
export const bodyOf = (req: SandboxRequest) => asObject(req.body);

/** Runs fn with the item, or answers with missing() when there is none. */
export function withItem<T>(
  item: T | undefined,
  missing: () => SandboxResponse,
  fn: (item: T) => SandboxResponse,
): SandboxResponse {
  return item === undefined ? missing() : fn(item);
}

/**
 * Runs fn with the required string fields of the body; 400 with a field map when any is
 * missing or blank: {list_name: "List name field is required."}.
 */
export function withFields<K extends string>(
  req: SandboxRequest,
  labels: Record<K, string>,
  fn: (fields: Record<K, string>) => SandboxResponse,
): SandboxResponse {
  const body = bodyOf(req);
  const errors: Record<string, string> = {};
  for (const [field, label] of Object.entries<string>(labels)) {
    const value = body[field];
    if (typeof value !== "string" || value.trim() === "") {
      errors[field] = `${label} field is required.`;
    }
  }
  if (Object.keys(errors).length) return badRequest("Invalid input.", errors);
  return fn(body as Record<K, string>);
}
