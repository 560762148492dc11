import type { SandboxResponse } from "./envelope.js";
import type { SandboxState, SandboxUser } from "./state.js";

export interface SandboxRequest {
  method: string;
  /** Path relative to the API root, without a leading slash: "lists/428/contacts". */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  user: SandboxUser | undefined;
  state: SandboxState;
  /** Absolute URL of this path, for Laravel's page links. */
  url: string;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  pattern: string;
  /** Public routes need no credentials (GET /countries). */
  public?: boolean;
  handle(req: SandboxRequest): SandboxResponse;
}

export function route(
  method: Route["method"],
  pattern: string,
  handle: Route["handle"],
  opts: { public?: boolean } = {},
): Route {
  return { method, pattern, handle, ...opts };
}

/** Matches "lists/:list_id/contacts" against a path; returns the params or undefined. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) {
      if (!g) return undefined;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return undefined;
  }
  return params;
}
