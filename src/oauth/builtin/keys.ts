/**
 * The built-in authorization server's secrets, kept in the OAuthStore so a restart and every
 * instance on the same store use the same ones: the token signing key set (private JWKs, ES256)
 * and the keys that sign its cookies. Each is made by the first instance that needs it
 * (store.once: create-if-absent, never overwritten).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import type { OAuthStore } from "../../state/oauth-store.js";

export const SIGNING_ALG = "ES256";
const JWKS_NAME = "builtin-issuer/jwks";
const COOKIE_KEYS_NAME = "builtin-issuer/cookie-keys";

function newSigningKeys(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const key = { ...jwk, kid: randomBytes(12).toString("base64url"), alg: SIGNING_ALG, use: "sig" };
  return JSON.stringify({ keys: [key] });
}

function newCookieKeys(): string {
  return JSON.stringify([randomBytes(32).toString("base64url")]);
}

/** The private signing key set (oidc-provider's `jwks`). */
export async function signingKeys(store: OAuthStore): Promise<JSONWebKeySet> {
  const set = JSON.parse(await store.once(JWKS_NAME, newSigningKeys)) as JSONWebKeySet;
  if (!Array.isArray(set.keys) || set.keys.length === 0) {
    throw new Error(`the OAuth store's ${JWKS_NAME} holds no keys`);
  }
  return set;
}

/** The keys oidc-provider signs its cookies with (Koa's `keys`). */
export async function cookieKeys(store: OAuthStore): Promise<string[]> {
  return JSON.parse(await store.once(COOKIE_KEYS_NAME, newCookieKeys)) as string[];
}

/** Members a public JWK may carry: the private parts (d, p, q, ...) left out. */
const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"] as const;

export function publicKeys(set: JSONWebKeySet): JSONWebKeySet {
  return {
    keys: set.keys.map((key) => {
      const pub: JWK = {};
      for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) pub[member] = key[member];
      return pub;
    }),
  };
}

/**
 * jose's key resolver over the store's public keys. A token signed with a key it does not know
 * makes it read the store again first: another instance may have put a new key there.
 */
export function keyResolver(initial: JSONWebKeySet, store: OAuthStore): JWTVerifyGetKey {
  let current = createLocalJWKSet(publicKeys(initial));
  return async (header, token) => {
    try {
      return await current(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      current = createLocalJWKSet(publicKeys(await signingKeys(store)));
      return current(header, token);
    }
  };
}
