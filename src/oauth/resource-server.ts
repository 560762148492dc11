/**
 * The OAuth resource server in HTTP mode (MCP authorization, both protocol generations): the
 * Protected Resource Metadata document (RFC 9728) naming the authorization server, the 401
 * challenge pointing at it, access tokens checked by the verifier (src/oauth/verifier.ts), and
 * scopes checked per request (src/oauth/scopes.ts) with the step-up answer. src/transport/http.ts
 * calls it; the static bearer token is checked there, before this.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type OAuthProtectedResourceMetadata,
  type OAuthTokenVerifier,
  verifyBearerToken,
} from "@modelcontextprotocol/server";
import type { Logger } from "../logger.js";
import { IssuerUnavailable } from "./issuer-unavailable.js";
import { allows, type ReadOnlyTools, SCOPES, scopeNeeded, stepUpScopes } from "./scopes.js";

/** Where RFC 9728 puts the document for a server at the root; the `/mcp` form is added to it. */
const METADATA_PATH = "/.well-known/oauth-protected-resource";
const RESOURCE_NAME = "ClickSend messaging (clicksend-mcp)";
/** Seconds a client should wait before retrying while the issuer cannot be reached. */
const RETRY_AFTER_S = 5;

/** A request with the static token: the operator, every scope, no person. */
export const OPERATOR: AuthInfo = { token: "", clientId: "operator", scopes: [...SCOPES] };

export interface ResourceServerOptions {
  /** The authorization server's issuer identifier, as clients should discover it. */
  issuer: string;
  /** This server's public MCP URL: the metadata's `resource`, and what tokens must be for. */
  publicUrl: URL;
  verifier: OAuthTokenVerifier;
  /** The catalogue's tools' readOnlyHint, by name: which scope a call needs. */
  tools: ReadOnlyTools;
  logger: Logger;
}

export interface ResourceServer {
  publicUrl: URL;
  /** Answers a request for the metadata document; false when `path` is not one of its paths. */
  serveMetadata(path: string, req: IncomingMessage, res: ServerResponse): boolean;
  /** The verified token, or undefined once the request has been answered (401 or 503). */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<AuthInfo | undefined>;
  /** Whether the token's scopes allow this JSON-RPC body; when not, the 403 has been sent. */
  authorize(auth: AuthInfo, body: unknown, res: ServerResponse): Promise<boolean>;
}

/** Sends a web Response (the SDK's challenge answers) through Node's response. */
async function send(res: ServerResponse, response: Response): Promise<void> {
  const body = await response.text();
  res.writeHead(response.status, {
    ...Object.fromEntries(response.headers),
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** RFC 6750 §3: without credentials the challenge carries no error code. */
function challenge(resourceMetadataUrl: string): string {
  return `Bearer resource_metadata="${resourceMetadataUrl}", scope="${SCOPES.join(" ")}"`;
}

export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const { publicUrl, verifier, logger } = options;
  const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(publicUrl);
  const metadata: OAuthProtectedResourceMetadata = {
    resource: publicUrl.href,
    authorization_servers: [options.issuer],
    scopes_supported: SCOPES,
    bearer_methods_supported: ["header"],
    resource_name: RESOURCE_NAME,
  };
  const document = JSON.stringify(metadata);
  // The root form, the /mcp form, and the public URL's own path form behind a proxy's prefix.
  const metadataPaths = new Set([
    METADATA_PATH,
    `${METADATA_PATH}/mcp`,
    new URL(resourceMetadataUrl).pathname,
  ]);

  return {
    publicUrl,

    serveMetadata(path, req, res) {
      if (!metadataPaths.has(path.replace(/(.)\/$/, "$1"))) return false;
      // Public, and read by browser-based clients from other origins.
      const cors = { "access-control-allow-origin": "*" };
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          ...cors,
          "access-control-allow-methods": "GET, HEAD, OPTIONS",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
        });
        res.end();
      } else if (req.method === "GET" || req.method === "HEAD") {
        res.writeHead(200, {
          ...cors,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(document),
        });
        res.end(req.method === "GET" ? document : undefined);
      } else {
        res.writeHead(405, { ...cors, allow: "GET, HEAD, OPTIONS" });
        res.end();
      }
      return true;
    },

    async authenticate(req, res) {
      const header = req.headers.authorization;
      if (!header) {
        // The JSON-RPC error body the transport's other refusals carry.
        const body = JSON.stringify({
          jsonrpc: "2.0",
          error: {
            code: -32000,
            message: "Unauthorized: this server needs an OAuth access token.",
          },
          id: null,
        });
        res.writeHead(401, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "www-authenticate": challenge(resourceMetadataUrl),
        });
        res.end(body);
        return undefined;
      }
      try {
        return await verifyBearerToken(header, {
          verifier,
          expectedResource: publicUrl,
          resourceMetadataUrl,
        });
      } catch (error) {
        if (error instanceof IssuerUnavailable) {
          logger.error(`could not check an access token: ${error.message}`);
          await send(
            res,
            Response.json(
              {
                error: "temporarily_unavailable",
                error_description: "The authorization server cannot be reached; retry shortly.",
              },
              { status: 503, headers: { "retry-after": String(RETRY_AFTER_S) } },
            ),
          );
          return undefined;
        }
        if (!(error instanceof OAuthError)) throw error;
        // Our verifier's messages name the failed check, never the token.
        logger.warn(`refused an HTTP request's access token: ${error.message}`);
        await send(res, bearerAuthChallengeResponse(error, { resourceMetadataUrl }));
        return undefined;
      }
    },

    async authorize(auth, body, res) {
      const needed = scopeNeeded(body, options.tools);
      if (allows(auth.scopes, needed)) return true;
      const sub = typeof auth.extra?.sub === "string" ? ` for ${auth.extra.sub}` : "";
      logger.warn(`refused a request${sub}: its token lacks the ${needed} scope`);
      const error = new OAuthError(
        OAuthErrorCode.InsufficientScope,
        `This request needs the ${needed} scope.`,
      );
      await send(
        res,
        bearerAuthChallengeResponse(error, {
          requiredScopes: stepUpScopes(auth.scopes, needed),
          resourceMetadataUrl,
        }),
      );
      return false;
    },
  };
}
