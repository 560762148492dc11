/**
 * How the built-in server fetches Client ID Metadata Documents. By default oidc-provider's own:
 * https only, no redirects, 2.5 s, 5 KiB, and through an undici dispatcher that refuses
 * loopback, private and other special-use addresses (SSRF). With
 * CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS=1 (tests, intranets) the same fetch without that
 * dispatcher: every other bound stays, since oidc-provider sets them before calling it.
 */
import type { Configuration } from "oidc-provider";

type FetchOption = NonNullable<Configuration["fetch"]>;

/** The `fetch` configuration for oidc-provider, or undefined to keep its default. */
export function clientMetadataFetch(allowPrivateClients: boolean): FetchOption | undefined {
  if (!allowPrivateClients) return undefined;
  return (input, init) => {
    const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & {
      dispatcher?: unknown;
    };
    return fetch(input, rest);
  };
}
