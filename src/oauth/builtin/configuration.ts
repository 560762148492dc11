/**
 * oidc-provider's configuration for the built-in authorization server: OAuth 2.1 for one resource
 * (the MCP endpoint). Authorization code with PKCE S256 for every client, RFC 8707 resource
 * indicators with JWT access tokens (RFC 9068) for that resource only, dynamic registration
 * without an initial access token, Client ID Metadata Documents, refresh tokens for clients
 * registered with the refresh_token grant, revocation. Everything oidc-provider would otherwise
 * warn about on stdout ("you SHOULD change it") is set here.
 */
import type { Configuration, JWKS } from "oidc-provider";
import { errors, interactionPolicy } from "oidc-provider";
import { clientMetadataFetch } from "./client-fetch.js";
import { INTERACTION_PREFIX } from "./interaction.js";
import { SIGNING_ALG } from "./keys.js";
import { messagePage, PAGE_HEADERS } from "./pages.js";
import { ISSUED_SCOPES, isIssuedScope, type PersonEntry } from "./people.js";

const HOUR_S = 60 * 60;
const DAY_S = 24 * HOUR_S;

export const TTL_S = {
  AccessToken: HOUR_S,
  AuthorizationCode: 60,
  /** Time to sign in on the consent page. */
  Interaction: 10 * 60,
  /** Each refresh token, and the grant behind it: a person signs in again at least monthly. */
  RefreshToken: 30 * DAY_S,
  Grant: 30 * DAY_S,
  /** Sessions are not reused (every authorization signs in), so they need not last. */
  Session: HOUR_S,
  IdToken: HOUR_S,
} as const;

export interface ConfigurationInput {
  resource: string;
  people: Map<string, PersonEntry>;
  allowPrivateClients: boolean;
  adapter: NonNullable<Configuration["adapter"]>;
  jwks: JWKS;
  cookieKeys: string[];
}

/**
 * The default policy plus one check: a person signs in on every authorization, so a browser
 * that signed in once cannot hand a new app access without the password being asked again.
 */
function signInEveryTime(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy
    .get("login")
    ?.checks.add(
      new interactionPolicy.Check("every_time", "sign in for every authorization", (ctx) =>
        ctx.oidc.result?.login
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

export function providerConfiguration(input: ConfigurationInput): Configuration {
  const { resource, people } = input;
  const fetch = clientMetadataFetch(input.allowPrivateClients);
  return {
    adapter: input.adapter,
    jwks: input.jwks,
    cookies: { keys: input.cookieKeys },
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      id_token_signed_response_alg: SIGNING_ALG,
      token_endpoint_auth_method: "client_secret_basic",
    },
    enabledJWA: {
      idTokenSigningAlgValues: [SIGNING_ALG],
      userinfoSigningAlgValues: [SIGNING_ALG],
      introspectionSigningAlgValues: [SIGNING_ALG],
      authorizationSigningAlgValues: [SIGNING_ALG],
    },
    responseTypes: ["code"],
    // Also the resource's scopes: MCP clients name them in their registration's `scope`, which
    // oidc-provider checks against this list (the SDK's client does, from the metadata).
    scopes: ["openid", "offline_access", ...ISSUED_SCOPES],
    pkce: { required: () => true },
    // Every route under /oauth/, disabled features' too, so the issuer can claim that prefix.
    routes: {
      authorization: "/oauth/authorize",
      token: "/oauth/token",
      registration: "/oauth/register",
      jwks: "/oauth/jwks",
      revocation: "/oauth/revoke",
      userinfo: "/oauth/userinfo",
      introspection: "/oauth/introspect",
      end_session: "/oauth/session/end",
      pushed_authorization_request: "/oauth/par",
      device_authorization: "/oauth/device/auth",
      code_verification: "/oauth/device",
      backchannel_authentication: "/oauth/backchannel",
      challenge: "/oauth/challenge",
      credential: "/oauth/credential",
    },
    features: {
      devInteractions: { enabled: false },
      // The resource server takes Bearer tokens only: no DPoP-bound ones.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      registration: { enabled: true, initialAccessToken: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      clientIdMetadataDocument: { enabled: true, ack: "draft-02" },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: ISSUED_SCOPES.join(" "),
            audience: resource,
            accessTokenTTL: TTL_S.AccessToken,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    ...(fetch ? { fetch } : {}),
    // The MCP clients this serves do not ask for offline_access: the refresh_token grant in
    // their registration is what asks for refresh tokens.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    expiresWithSession: () => false,
    // No account, no tokens: a person taken out of the people file, or whose token carries a
    // scope the file no longer gives them, cannot refresh (or redeem a code) and signs in again.
    findAccount: (_ctx, sub, token) => {
      const person = people.get(sub);
      if (!person) return undefined;
      const carried = (token?.scope ?? "").split(" ").filter(isIssuedScope);
      if (carried.some((scope) => !person.scopes.includes(scope))) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: person.name }) };
    },
    extraTokenClaims: (_ctx, token) => {
      const person = "accountId" in token ? people.get(token.accountId) : undefined;
      return person ? { name: person.name } : undefined;
    },
    ttl: { ...TTL_S },
    interactions: {
      policy: signInEveryTime(),
      url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}`,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === "none" &&
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) === true,
    renderError: (ctx, out) => {
      const { "content-type": _, ...headers } = PAGE_HEADERS;
      ctx.set(headers);
      ctx.type = "html";
      ctx.body = messagePage(
        "Sign-in failed",
        `${out.error}${out.error_description ? `: ${out.error_description}` : ""}`,
      );
    },
  };
}
