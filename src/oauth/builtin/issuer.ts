/**
 * Starts oidc-provider for the built-in authorization server and routes its requests: the
 * consent page to interaction.ts, everything else (discovery, /oauth/authorize, token,
 * register, jwks, revoke) to oidc-provider's own handler. Loaded only through index.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type errors, type JWKS, Provider } from "oidc-provider";
import { providerConfiguration } from "./configuration.js";
import type { BuiltinIssuer, BuiltinIssuerOptions } from "./index.js";
import { INTERACTION_PREFIX, serveInteraction } from "./interaction.js";
import { cookieKeys, keyResolver, signingKeys } from "./keys.js";
import { messagePage, sendPage } from "./pages.js";
import { ISSUED_SCOPES, loadPeople } from "./people.js";
import { RegistrationLimit } from "./registration-limit.js";
import { SignInBackoff } from "./sign-in-backoff.js";

const DISCOVERY_PATHS = new Set([
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
]);
const AUTHORIZE_PATH = "/oauth/authorize";
const REGISTER_PATH = "/oauth/register";

/** RFC 7591's error shape, with when to retry. */
function tooManyRegistrations(res: ServerResponse, waitMs: number): void {
  const body = JSON.stringify({
    error: "temporarily_unavailable",
    error_description: "Too many client registrations in the last hour; retry later.",
  });
  res.writeHead(429, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "retry-after": String(Math.ceil(waitMs / 1000)),
  });
  res.end(body);
}

function checkIssuer(issuer: string): void {
  const url = URL.parse(issuer);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== issuer) {
    throw new Error(
      `the built-in issuer must be an origin such as https://texts.example.com, not ${issuer}`,
    );
  }
}

/**
 * An authorization request that names no scope asks for every scope this server issues; the
 * person then gets those the people file allows them. (MCP clients omit scope when the server's
 * metadata names none; without this they would get a token that can do nothing.)
 */
function withDefaultScope(url: string): string {
  const parsed = new URL(url, "http://x");
  if (parsed.searchParams.has("scope")) return url;
  parsed.searchParams.set("scope", ISSUED_SCOPES.join(" "));
  return `${parsed.pathname}${parsed.search}`;
}

export async function startIssuer(options: BuiltinIssuerOptions): Promise<BuiltinIssuer> {
  checkIssuer(options.issuer);
  const { store, logger } = options;
  const people = loadPeople(options.people);
  const jwks = await signingKeys(store);
  const provider = new Provider(
    options.issuer,
    providerConfiguration({
      resource: options.resource,
      people,
      allowPrivateClients: options.allowPrivateClients,
      adapter: (model: string) => store.adapter(model),
      // jose's JWK type and oidc-provider's describe the same private JWKs.
      jwks: jwks as JWKS,
      cookieKeys: await cookieKeys(store),
    }),
  );
  // Behind a TLS proxy, X-Forwarded-Proto is what tells Koa the cookies may be Secure.
  provider.proxy = options.issuer.startsWith("https:");
  // Koa would print errors' stacks to stderr itself; they go through the logger instead.
  provider.silent = true;
  provider.on("server_error", (_ctx: unknown, error: Error) => {
    logger.error(`OAuth: ${error.name}: ${error.message}`);
  });
  // What a client was told and why (its error codes and descriptions carry no token values):
  // how an operator sees a metadata document that could not be fetched, or a bad registration.
  const told = (what: string, error: errors.OIDCProviderError) =>
    `OAuth: ${what} refused: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}`;
  provider.on("authorization.error", (_ctx, error) => logger.info(told("authorization", error)));
  provider.on("registration_create.error", (_ctx, error) =>
    logger.info(told("registration", error)),
  );
  provider.on("grant.error", (_ctx, error) => logger.debug(told("token request", error)));
  provider.use(async (ctx, next) => {
    await next();
    if (DISCOVERY_PATHS.has(ctx.path) && ctx.status === 200 && ctx.body) {
      const body = ctx.body as { scopes_supported?: string[] };
      body.scopes_supported = [...new Set([...(body.scopes_supported ?? []), ...ISSUED_SCOPES])];
    }
  });
  const handle = provider.callback();
  const registrations = new RegistrationLimit(options.registrationsPerHour, options.now);
  const context = {
    provider,
    resource: options.resource,
    people,
    backoff: new SignInBackoff(options.now ? { now: options.now } : {}),
    logger,
  };
  logger.info(
    `OAuth: built-in authorization server at ${options.issuer} for ${options.resource}, ${people.size} ${people.size === 1 ? "person" : "people"}`,
  );

  return {
    owns: (path) => DISCOVERY_PATHS.has(path) || path.startsWith("/oauth/"),
    async serve(req: IncomingMessage, res: ServerResponse) {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path.startsWith(INTERACTION_PREFIX)) {
        try {
          await serveInteraction(context, req, res);
        } catch (error) {
          logger.error(`OAuth: consent page failed: ${(error as Error).name}`);
          if (!res.headersSent) sendPage(res, 500, messagePage("Sign-in failed", "Try again."));
          else res.end();
        }
        return;
      }
      if (path === AUTHORIZE_PATH && req.method === "GET" && req.url) {
        req.url = withDefaultScope(req.url);
      }
      if (path === REGISTER_PATH && req.method === "POST") {
        const waitMs = registrations.take();
        if (waitMs > 0) {
          logger.warn("OAuth: refused a client registration: too many in the last hour");
          return tooManyRegistrations(res, waitMs);
        }
      }
      await handle(req, res);
    },
    getKey: keyResolver(jwks, store),
    async close() {
      provider.removeAllListeners();
    },
  };
}
