/**
 * The JWT access-token verifier in process, against oauth2-mock-server on loopback: real signed
 * tokens, real discovery and key set fetches. What the HTTP server makes of its answers is
 * test/oauth-resource.test.ts's.
 */
import { OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  audiencesFor,
  createJwtVerifier,
  IssuerUnavailable,
  type JwtVerifierOptions,
} from "../src/oauth/verifier.js";
import { freePort } from "./support/net.js";

const RESOURCE = "http://127.0.0.1:8787/mcp";

type Claims = Record<string, unknown>;

async function startIssuer(): Promise<OAuth2Server> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  return server;
}

/** A token from this issuer with its defaults (iss, iat, nbf, exp), these claims on top. */
function tokenFrom(server: OAuth2Server, claims: Claims = {}, kid?: string): Promise<string> {
  return server.issuer.buildToken({
    ...(kid ? { kid } : {}),
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, { sub: "alice", aud: RESOURCE, ...claims });
      for (const [name, value] of Object.entries(claims)) {
        if (value === undefined) delete payload[name];
      }
    },
  });
}

const verifierFor = (server: OAuth2Server, extra: Partial<JwtVerifierOptions> = {}) =>
  createJwtVerifier({
    issuer: server.issuer.url as string,
    audience: audiencesFor(RESOURCE),
    resource: new URL(RESOURCE),
    jwksCooldownMs: 0,
    ...extra,
  });

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe(OAuthErrorCode.InvalidToken);
  return error as OAuthError;
}

const now = () => Math.floor(Date.now() / 1000);

describe("the JWT verifier against an external issuer", () => {
  let issuer: OAuth2Server;
  beforeAll(async () => {
    issuer = await startIssuer();
  });
  afterAll(() => issuer?.stop());

  it("accepts a good token and reports who, which client, which scopes, until when", async () => {
    const verifier = verifierFor(issuer);
    const token = await tokenFrom(issuer, {
      azp: "claude",
      scp: ["clicksend:read", "clicksend:send"],
      name: "Alice Example",
    });
    const info = await verifier.verifyAccessToken(token);
    expect(info).toEqual({
      token,
      clientId: "claude",
      scopes: ["clicksend:read", "clicksend:send"],
      expiresAt: expect.any(Number),
      resource: new URL(RESOURCE),
      extra: { sub: "alice", name: "Alice Example" },
    });
    expect(info.expiresAt).toBeGreaterThan(now());
    // client_id wins over azp; scope is a space-separated string; a name that is no string is left out.
    const other = await verifier.verifyAccessToken(
      await tokenFrom(issuer, { client_id: "cli", azp: "x", scope: "clicksend:read", name: 7 }),
    );
    expect(other).toMatchObject({ clientId: "cli", scopes: ["clicksend:read"] });
    expect(other.extra).toEqual({ sub: "alice" });
  });

  it("accepts the public URL as audience with or without a trailing slash, or the configured one", async () => {
    expect(audiencesFor("https://texts.example.com/")).toEqual([
      "https://texts.example.com/",
      "https://texts.example.com",
    ]);
    const custom = verifierFor(issuer, { audience: audiencesFor(RESOURCE, "api://clicksend") });
    const info = await custom.verifyAccessToken(
      await tokenFrom(issuer, { aud: "api://clicksend" }),
    );
    // The resource reported is still this server's URL: the audience matched.
    expect(info.resource?.href).toBe(RESOURCE);
    await refusal(custom.verifyAccessToken(await tokenFrom(issuer)));
  });

  it("refuses tokens that are expired, early, for another audience, or from another issuer", async () => {
    const verifier = verifierFor(issuer);
    const cases: Array<[Claims, RegExp]> = [
      [{ exp: now() - 3600 }, /expired/],
      [{ nbf: now() + 3600 }, /"nbf"/],
      [{ aud: "https://elsewhere.example.com/mcp" }, /"aud"/],
      [{ iss: "https://evil.example.com" }, /"iss"/],
      [{ exp: undefined }, /"exp"/],
      [{ sub: undefined }, /"sub"/],
      [{ sub: 42 }, /"sub"/],
      [{ sub: "" }, /"sub"/],
    ];
    for (const [claims, message] of cases) {
      const error = await refusal(verifier.verifyAccessToken(await tokenFrom(issuer, claims)));
      expect(error.message, JSON.stringify(claims)).toMatch(message);
    }
  });

  it("tolerates a few seconds of clock skew, not more", async () => {
    const verifier = verifierFor(issuer);
    await verifier.verifyAccessToken(await tokenFrom(issuer, { exp: now() - 5 }));
    await verifier.verifyAccessToken(await tokenFrom(issuer, { nbf: now() + 5 }));
    await refusal(verifier.verifyAccessToken(await tokenFrom(issuer, { exp: now() - 120 })));
  });

  it("refuses a token signed by another issuer's key, even naming this issuer", async () => {
    const other = await startIssuer();
    try {
      other.issuer.url = issuer.issuer.url;
      const error = await refusal(verifierFor(issuer).verifyAccessToken(await tokenFrom(other)));
      expect(error.message).toMatch(/signing key/);
    } finally {
      await other.stop();
    }
  });

  it("refuses tampered tokens, alg none and HMAC-signed tokens", async () => {
    const verifier = verifierFor(issuer);
    const [header, payload, signature] = (await tokenFrom(issuer)).split(".") as [
      string,
      string,
      string,
    ];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as JWTPayload;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString("base64url");
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    const kid = JSON.parse(Buffer.from(header, "base64url").toString()).kid as string;
    for (const token of [
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${flipped}`,
      new UnsecuredJWT(claims).encode(),
      await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid })
        .sign(new TextEncoder().encode("a shared secret of at least 32 bytes!")),
      "not.a.jwt",
    ]) {
      await refusal(verifier.verifyAccessToken(token));
    }
  });

  it("finds a key the issuer added after its key set was fetched (rotation)", async () => {
    const verifier = verifierFor(issuer);
    await verifier.verifyAccessToken(await tokenFrom(issuer));
    const rotated = await issuer.issuer.keys.generate("ES256");
    const info = await verifier.verifyAccessToken(await tokenFrom(issuer, {}, rotated.kid));
    expect(info.extra?.sub).toBe("alice");
  });
});

describe("the JWT verifier when the issuer is away or wrong", () => {
  const servers: OAuth2Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) if (server.listening) await server.stop();
  });

  it("is unavailable, not valid, while the issuer cannot be reached; then recovers", async () => {
    const port = await freePort();
    const verifier = createJwtVerifier({
      issuer: `http://127.0.0.1:${port}`,
      audience: RESOURCE,
      resource: new URL(RESOURCE),
    });
    const issuer = new OAuth2Server();
    servers.push(issuer);
    await issuer.issuer.keys.generate("RS256");
    // The token is good: only the issuer is missing.
    issuer.issuer.url = `http://127.0.0.1:${port}`;
    const token = await tokenFrom(issuer);
    await expect(verifier.verifyAccessToken(token)).rejects.toBeInstanceOf(IssuerUnavailable);
    await issuer.start(port, "127.0.0.1");
    expect((await verifier.verifyAccessToken(token)).extra?.sub).toBe("alice");
  });

  it("is unavailable when the key set cannot be fetched for a new key", async () => {
    const issuer = await startIssuer();
    servers.push(issuer);
    const verifier = verifierFor(issuer);
    await verifier.verifyAccessToken(await tokenFrom(issuer));
    const rotated = await issuer.issuer.keys.generate("RS256");
    const token = await tokenFrom(issuer, {}, rotated.kid);
    await issuer.stop();
    await expect(verifier.verifyAccessToken(token)).rejects.toBeInstanceOf(IssuerUnavailable);
  });

  it("discovers by RFC 8414 first (path inserted), and refuses metadata naming another issuer", async () => {
    const issuer = await startIssuer();
    servers.push(issuer);
    const origin = issuer.issuer.url as string;
    const tenant = `${origin}/tenant`;
    issuer.issuer.url = tenant;
    issuer.service.addRoute(
      "GET",
      "/.well-known/oauth-authorization-server/tenant",
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ issuer: tenant, jwks_uri: `${origin}/jwks` }));
      },
    );
    const token = await tokenFrom(issuer);
    const verifier = verifierFor(issuer);
    expect((await verifier.verifyAccessToken(token)).extra?.sub).toBe("alice");
    // The OpenID document at the origin names the origin, not the tenant: refused.
    const wrong = createJwtVerifier({
      issuer: `${origin}/other`,
      audience: RESOURCE,
      resource: new URL(RESOURCE),
    });
    await expect(wrong.verifyAccessToken(token)).rejects.toBeInstanceOf(IssuerUnavailable);
  });
});

describe("the JWT verifier with keys handed in (the built-in issuer)", () => {
  it("verifies with the given key getter, without discovery", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    const issuer = "http://127.0.0.1:1/never-fetched";
    const verifier = createJwtVerifier({
      issuer,
      audience: RESOURCE,
      resource: new URL(RESOURCE),
      getKey: async () => publicKey,
    });
    const sign = (claims: JWTPayload) =>
      new SignJWT({ iss: issuer, sub: "bob", aud: RESOURCE, scope: "clicksend:send", ...claims })
        .setProtectedHeader({ alg: "ES256", kid: String(jwk.x) })
        .setExpirationTime("5m")
        .sign(privateKey);
    const info = await verifier.verifyAccessToken(await sign({}));
    expect(info).toMatchObject({ scopes: ["clicksend:send"], extra: { sub: "bob" } });
    await refusal(verifier.verifyAccessToken(await sign({ iss: "https://other.example" })));
  });
});
