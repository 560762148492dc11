/**
 * Verifies JWT access tokens for the resource server (src/oauth/resource-server.ts): signed by
 * the issuer's keys with an asymmetric algorithm, issued by it (`iss`), for this server (`aud`),
 * in date (`exp` required, `nbf`), naming a subject. An external issuer's keys are found by
 * discovery (RFC 8414, then OpenID Connect) and fetched from its `jwks_uri`, again when a token
 * names a key not seen yet (rotation); the built-in issuer hands its keys in directly.
 *
 * A token that fails is an OAuthError (invalid_token: 401). An issuer or key set that cannot be
 * reached is IssuerUnavailable instead (503): the token may well be good, so the client should
 * retry rather than throw it away and start a new sign-in that cannot help.
 */

import type { AuthInfo } from "@modelcontextprotocol/server";
import { OAuthError, OAuthErrorCode, type OAuthTokenVerifier } from "@modelcontextprotocol/server";
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { allowInsecureRequests, discoveryRequest, processDiscoveryResponse } from "oauth4webapi";
import { isLoopback } from "../loopback.js";
import { IssuerUnavailable } from "./issuer-unavailable.js";

export { IssuerUnavailable };

/** Asymmetric signatures only: `none` and the HMAC family (a shared secret) never verify. */
export const ACCEPTED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Seconds of disagreement between our clock and the issuer's tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 30;
/** How long discovery or a key set fetch may take. */
const FETCH_TIMEOUT_MS = 5000;
/**
 * After a fetch of the key set, how long before an unknown `kid` may fetch it again: rotation is
 * seen within a second, and tokens with made-up key ids cost the issuer at most one fetch a second.
 */
const JWKS_COOLDOWN_MS = 1000;

export interface JwtVerifierOptions {
  /** The issuer identifier: tokens' `iss` must be it (for an external one, as its metadata says). */
  issuer: string;
  /** Accepted `aud` values: CLICKSEND_MCP_OAUTH_AUDIENCE, or the public URL. */
  audience: string | string[];
  /** This server's public URL, reported as AuthInfo.resource once `aud` matched. */
  resource: URL;
  /** The built-in issuer's keys; without it they are discovered from the issuer. */
  getKey?: JWTVerifyGetKey;
  /** Tests shorten these. */
  timeoutMs?: number;
  jwksCooldownMs?: number;
}

const invalid = (description: string) => new OAuthError(OAuthErrorCode.InvalidToken, description);

/** http only on loopback, as the configuration allows for the issuer. */
function insecureAllowed(url: URL): boolean {
  return url.protocol === "http:" && isLoopback(url.hostname);
}

/**
 * The issuer's metadata: RFC 8414's well-known URI (path inserted), then OpenID Connect's
 * (path appended). oauth4webapi checks that the document names this very issuer.
 */
async function discover(issuer: string, timeoutMs: number) {
  const url = new URL(issuer);
  const options = {
    signal: () => AbortSignal.timeout(timeoutMs),
    ...(insecureAllowed(url) ? { [allowInsecureRequests]: true } : {}),
  };
  const rfc8414 = await discoveryRequest(url, { ...options, algorithm: "oauth2" });
  if (rfc8414.status === 200) return processDiscoveryResponse(url, rfc8414);
  await rfc8414.body?.cancel();
  return processDiscoveryResponse(
    url,
    await discoveryRequest(url, { ...options, algorithm: "oidc" }),
  );
}

/** Key getters from jose fail for the token (no such key) or for the issuer (the rest). */
function blamesToken(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}

/** What a failed verification says, naming the check and never the token. */
function failedCheck(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `The token's "${error.claim}" claim is not acceptable (${error.reason})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey)
    return "The token's signing key is not the issuer's";
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "The token's signature does not verify";
  }
  return "The token is malformed";
}

const scopesOf = (payload: JWTPayload): string[] => {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(" ") : [];
  return list.filter((scope): scope is string => typeof scope === "string" && scope !== "");
};

const stringClaim = (payload: JWTPayload, name: string): string | undefined =>
  typeof payload[name] === "string" ? (payload[name] as string) : undefined;

export interface JwtVerifier extends OAuthTokenVerifier {
  /** Discovers the issuer now rather than on the first token; rejects with IssuerUnavailable. */
  prepare(): Promise<void>;
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  let keys: Promise<{ issuer: string; getKey: JWTVerifyGetKey }> | undefined = options.getKey
    ? Promise.resolve({ issuer: options.issuer, getKey: options.getKey })
    : undefined;

  /** Discovered once; a failure is forgotten so the next request tries again. */
  const issuerKeys = () => {
    keys ??= discover(options.issuer, timeoutMs).then((metadata) => {
      if (typeof metadata.jwks_uri !== "string") {
        throw new Error("the issuer's metadata has no jwks_uri");
      }
      const jwksUri = new URL(metadata.jwks_uri);
      if (jwksUri.protocol !== "https:" && !insecureAllowed(jwksUri)) {
        throw new Error("the issuer's jwks_uri is not https");
      }
      const getKey = createRemoteJWKSet(jwksUri, {
        timeoutDuration: timeoutMs,
        cooldownDuration: options.jwksCooldownMs ?? JWKS_COOLDOWN_MS,
      });
      return { issuer: metadata.issuer, getKey };
    });
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };

  const discovered = async () => {
    try {
      return await issuerKeys();
    } catch (error) {
      throw new IssuerUnavailable(`discovery of the issuer failed: ${reason(error)}`);
    }
  };

  return {
    async prepare() {
      await discovered();
    },

    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const { issuer, getKey } = await discovered();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(
          token,
          async (header, jws) => {
            try {
              return await getKey(header, jws);
            } catch (error) {
              if (blamesToken(error)) throw error;
              throw new IssuerUnavailable(`the issuer's keys are unavailable: ${reason(error)}`);
            }
          },
          {
            issuer,
            audience: options.audience,
            algorithms: ACCEPTED_ALGORITHMS,
            clockTolerance: CLOCK_TOLERANCE_S,
            requiredClaims: ["exp", "sub"],
          },
        ));
      } catch (error) {
        if (error instanceof IssuerUnavailable) throw error;
        throw invalid(failedCheck(error));
      }
      // The person: limits and the audit count against it, so it must be a usable string.
      if (!stringClaim(payload, "sub")) throw invalid(`The token's "sub" claim is not a string`);
      const name = stringClaim(payload, "name");
      return {
        token,
        clientId: stringClaim(payload, "client_id") ?? stringClaim(payload, "azp") ?? "",
        scopes: scopesOf(payload),
        expiresAt: payload.exp as number,
        resource: new URL(options.resource),
        extra: { sub: payload.sub, ...(name !== undefined ? { name } : {}) },
      };
    },
  };
}

/** An error's class and message for the log: discovery and key set errors carry no secrets. */
function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}

/**
 * The `aud` values that name this server: the configured audience, or the public URL with and
 * without a trailing slash (URL parsing adds one to a bare origin; issuers differ on it).
 */
export function audiencesFor(publicUrl: string, audience?: string): string[] {
  if (audience !== undefined) return [audience];
  return [...new Set([publicUrl, publicUrl.replace(/\/$/, "")])];
}
