/**
 * The resource server for an OAuth configuration, as serve.ts hands it to the HTTP transport:
 * made once the server is bound (the public URL defaults to the bound one on loopback), with
 * tokens verified against the configured issuer. Loaded only with --oauth.
 */
import type { Logger } from "../logger.js";
import type { OAuthConfig } from "./config.js";
import { createResourceServer, type ResourceServer } from "./resource-server.js";
import type { ReadOnlyTools } from "./scopes.js";
import { audiencesFor, createJwtVerifier } from "./verifier.js";

export function resourceServerFor(
  config: OAuthConfig,
  tools: ReadOnlyTools,
  logger: Logger,
): (boundUrl: string) => ResourceServer {
  return (boundUrl) => {
    const publicUrl = new URL(config.publicUrl ?? boundUrl);
    const verifier = createJwtVerifier({
      issuer: config.issuer,
      audience: audiencesFor(publicUrl.href, config.audience),
      resource: publicUrl,
    });
    // A wrong or unreachable issuer shows at start, not only on the first request (503 until then).
    verifier.prepare().then(
      () => logger.debug(`OAuth issuer ${config.issuer} discovered`),
      (error: Error) => logger.warn(`OAuth: ${error.message}; tokens get 503 until it succeeds`),
    );
    return createResourceServer({ issuer: config.issuer, publicUrl, verifier, tools, logger });
  };
}
