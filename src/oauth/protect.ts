/**
 * OAuth as serve.ts hands it to the HTTP transport: made once the server is bound (the public URL
 * defaults to the bound one on loopback). With an external issuer, the resource server verifies
 * tokens against the issuer's discovered keys; with `builtin`, the built-in authorization server
 * runs in this process, on the send state's engine, and its keys verify tokens without a round
 * trip. Loaded only with --oauth.
 */
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import { openOAuthStore } from "../state/oauth-open.js";
import type { OAuthRoutes } from "../transport/http.js";
import { type BuiltinIssuer, startBuiltinIssuer } from "./builtin/index.js";
import { PeopleFileError } from "./builtin/people.js";
import { BUILTIN_ISSUER, type OAuthConfig } from "./config.js";
import { createResourceServer } from "./resource-server.js";
import type { ReadOnlyTools } from "./scopes.js";
import { audiencesFor, createJwtVerifier } from "./verifier.js";

/** Where the built-in issuer keeps its keys and grants: the send state's engine. */
export interface OAuthStateOptions {
  stateDir?: string | undefined;
  redisUrl?: string | undefined;
  sandbox: boolean;
  scope: string;
  env: Record<string, string | undefined>;
}

export function oauthRoutesFor(
  config: OAuthConfig,
  tools: ReadOnlyTools,
  logger: Logger,
  state: OAuthStateOptions,
): (boundUrl: string) => Promise<OAuthRoutes> {
  return async (boundUrl) => {
    const publicUrl = new URL(config.publicUrl ?? boundUrl);
    const builtin =
      config.issuer === BUILTIN_ISSUER
        ? await startBuiltin(config, publicUrl, state, logger)
        : undefined;
    // The built-in issuer is the public origin: its discovery and /oauth/ routes are at the root.
    const issuer = builtin ? publicUrl.origin : config.issuer;
    const verifier = createJwtVerifier({
      issuer,
      audience: audiencesFor(publicUrl.href, config.audience),
      resource: publicUrl,
      ...(builtin ? { getKey: builtin.getKey } : {}),
    });
    if (!builtin) {
      // A wrong or unreachable issuer shows at start, not only on the first request (503 until then).
      verifier.prepare().then(
        () => logger.debug(`OAuth issuer ${issuer} discovered`),
        (error: Error) => logger.warn(`OAuth: ${error.message}; tokens get 503 until it succeeds`),
      );
    }
    return {
      resourceServer: createResourceServer({ issuer, publicUrl, verifier, tools, logger }),
      ...(builtin ? { authorizationServer: builtin } : {}),
      close: async () => builtin?.close(),
    };
  };
}

/** The built-in issuer on the send state's engine; closing it closes its store too. */
async function startBuiltin(
  config: OAuthConfig,
  publicUrl: URL,
  state: OAuthStateOptions,
  logger: Logger,
): Promise<BuiltinIssuer> {
  const store = await openOAuthStore(state);
  try {
    const builtin = await startBuiltinIssuer({
      issuer: publicUrl.origin,
      resource: publicUrl.href,
      people: config.usersFile ?? "",
      allowPrivateClients: config.allowPrivateClients,
      store,
      logger,
    });
    return {
      ...builtin,
      close: async () => {
        await builtin.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    // A people file that cannot be used is the operator's to fix: one line, exit 2.
    if (error instanceof PeopleFileError) throw new ConfigError([error.message]);
    throw error;
  }
}
