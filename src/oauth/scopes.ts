/**
 * What a token's scopes allow. `clicksend:read` covers tools marked read-only (reads and send
 * previews), resources and the protocol's own requests; `clicksend:send` covers every other tool
 * (sends, writes, deletes) and everything read covers. Decided from the JSON-RPC body before
 * anything is dispatched, so a refused call reaches neither the tools nor ClickSend.
 */

export const READ_SCOPE = "clicksend:read";
export const SEND_SCOPE = "clicksend:send";
export const SCOPES = [READ_SCOPE, SEND_SCOPE];

/** The rule, once, for the server's instructions: the listing stays as it is (docs/http.md). */
export const SCOPE_RULE = `Over OAuth, tools marked read-only need the ${READ_SCOPE} scope and the others ${SEND_SCOPE}, which also allows reads; a call beyond the token's scopes is refused before anything is sent.`;

/** Whether each catalogue tool is read-only (annotations.readOnlyHint), by name. */
export type ReadOnlyTools = ReadonlyMap<string, boolean>;

/**
 * The scope a JSON-RPC body needs: `send` when it calls a tool that is not read-only, else
 * `read`. A tool the catalogue does not know needs only `read`: the server answers that it does
 * not exist, and nothing runs.
 */
export function scopeNeeded(
  body: unknown,
  tools: ReadOnlyTools,
): typeof READ_SCOPE | typeof SEND_SCOPE {
  const messages = Array.isArray(body) ? body : [body];
  const sends = messages.some((message) => {
    if (typeof message !== "object" || message === null) return false;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    if (method !== "tools/call" || typeof params?.name !== "string") return false;
    return tools.get(params.name) === false;
  });
  return sends ? SEND_SCOPE : READ_SCOPE;
}

/** Whether scopes a token carries allow what `needed` names (send allows reads too). */
export function allows(scopes: readonly string[], needed: string): boolean {
  return scopes.includes(SEND_SCOPE) || scopes.includes(needed);
}

/**
 * The scopes to ask for on a step-up (MCP's insufficient_scope answer): what the token has and
 * what the request needs, so a new token loses nothing the old one allowed.
 */
export function stepUpScopes(scopes: readonly string[], needed: string): string[] {
  return [...new Set([...scopes, needed])];
}
