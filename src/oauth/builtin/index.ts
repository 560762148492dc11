/**
 * The built-in authorization server (CLICKSEND_MCP_OAUTH_ISSUER=builtin), on oidc-provider.
 * This module holds only types and a dynamic import, so importing it does not load
 * oidc-provider or Koa: a server without the built-in issuer never pays for them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTVerifyGetKey } from "jose";
import type { Logger } from "../../logger.js";
import type { OAuthStore } from "../../state/oauth-store.js";

export interface BuiltinIssuerOptions {
  /** The public origin, e.g. "https://texts.example.com" (no path, no trailing slash). */
  issuer: string;
  /** The MCP public URL (…/mcp): the only RFC 8707 resource it issues tokens for. */
  resource: string;
  /** Path of the people file (CLICKSEND_MCP_OAUTH_USERS). */
  people: string;
  /** CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS: metadata documents from loopback/private addresses. */
  allowPrivateClients: boolean;
  store: OAuthStore;
  logger: Logger;
  /** The clock the sign-in backoff and the registration limit count by (tests). */
  now?: () => number;
  /** Dynamic registrations taken in any hour (registration-limit.ts; default 120). */
  registrationsPerHour?: number;
}

export interface BuiltinIssuer {
  /** Whether a request path is one of its own: discovery and everything under /oauth/. */
  owns(path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Its current public signing keys, for the resource server's verifier in this process. */
  getKey: JWTVerifyGetKey;
  close(): Promise<void>;
}

export async function startBuiltinIssuer(options: BuiltinIssuerOptions): Promise<BuiltinIssuer> {
  const { startIssuer } = await import("./issuer.js");
  return startIssuer(options);
}
