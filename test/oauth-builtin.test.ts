/**
 * The built-in authorization server (CLICKSEND_MCP_OAUTH_ISSUER=builtin) in process: discovery,
 * dynamic registration and Client ID Metadata Documents, the code flow with PKCE through the
 * consent page, driven by oauth4webapi; the JWT access tokens it issues, checked with jose
 * against the issuer's own getKey.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { memoryOAuthStore } from "../src/state/oauth-memory.js";
import { openOAuthStore } from "../src/state/oauth-open.js";
import type { OAuthStore } from "../src/state/oauth-store.js";
import {
  ANA,
  authorizationUrl,
  codeFlow,
  consent,
  discover,
  insecure,
  REDIRECT_URI,
  RUI,
  type RunningIssuer,
  refresh,
  registerPublicClient,
  startIssuer,
  writePeopleFile,
} from "./support/builtin-issuer.js";
import { type HttpsDocuments, serveHttpsDocuments } from "./support/https-documents.js";
import { Browser } from "./support/oauth-browser.js";
import { type Redis, redisServerPath, startRedis } from "./support/redis.js";

let people: string;
const running: RunningIssuer[] = [];
const stores: OAuthStore[] = [];

beforeAll(async () => {
  people = await writePeopleFile();
});

afterEach(async () => {
  for (const issuer of running.splice(0)) await issuer.close();
  for (const store of stores.splice(0)) await store.close();
});

async function start(
  options: Partial<Parameters<typeof startIssuer>[0]> = {},
): Promise<RunningIssuer> {
  const store = options.store ?? memoryOAuthStore();
  if (!options.store) stores.push(store);
  const issuer = await startIssuer({ store, people, ...options });
  running.push(issuer);
  return issuer;
}

async function verify(issuer: RunningIssuer, token: string) {
  return jose.jwtVerify(token, issuer.issuer.getKey, {
    issuer: issuer.base,
    audience: issuer.resource,
    typ: "at+jwt",
  });
}

describe("discovery", () => {
  it.each(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"])(
    "%s names what MCP clients need",
    async (path) => {
      const { base } = await start();
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: base,
        authorization_endpoint: `${base}/oauth/authorize`,
        token_endpoint: `${base}/oauth/token`,
        registration_endpoint: `${base}/oauth/register`,
        jwks_uri: `${base}/oauth/jwks`,
        revocation_endpoint: `${base}/oauth/revoke`,
        client_id_metadata_document_supported: true,
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
        response_types_supported: ["code"],
      });
      expect(metadata.token_endpoint_auth_methods_supported).toContain("none");
      expect(metadata.scopes_supported).toEqual(
        expect.arrayContaining(["clicksend:read", "clicksend:send"]),
      );
    },
  );
});

describe("routing", () => {
  it("claims the discovery paths and /oauth/, not the MCP endpoint or its metadata", async () => {
    const { issuer } = await start();
    for (const path of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
      "/oauth/token",
      "/oauth/interaction/abc",
    ]) {
      expect(issuer.owns(path)).toBe(true);
    }
    for (const path of ["/mcp", "/.well-known/oauth-protected-resource", "/oauth", "/"]) {
      expect(issuer.owns(path)).toBe(false);
    }
  });
});

describe("the key set", () => {
  it("publishes public keys only, the ones getKey verifies with", async () => {
    const { base } = await start();
    const { keys } = (await (await fetch(`${base}/oauth/jwks`)).json()) as jose.JSONWebKeySet;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(keys[0]).not.toHaveProperty("d");
  });
});

describe("dynamic registration and the code flow", () => {
  it("issues a JWT access token for the resource, with the person's name", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    expect(client.token_endpoint_auth_method).toBe("none");
    const tokens = await codeFlow(as, client, ANA, {
      resource: issuer.resource,
      scope: "clicksend:read clicksend:send",
    });
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const { payload, protectedHeader } = await verify(issuer, tokens.access_token);
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({
      iss: issuer.base,
      aud: issuer.resource,
      sub: "ana",
      name: ANA.name,
      scope: "clicksend:read clicksend:send",
      client_id: client.client_id,
    });
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
  });
});

describe("a confidential client (client_secret_post, as claude.ai registers)", () => {
  it("gets tokens and refreshes them with its secret", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as, "client_secret_post");
    expect(client.client_secret).toEqual(expect.any(String));
    const tokens = await codeFlow(as, client, ANA, { resource: issuer.resource });
    const refreshed = await refresh(as, client, tokens.refresh_token ?? "");
    const { payload } = await verify(issuer, refreshed.access_token);
    expect(payload).toMatchObject({
      sub: "ana",
      aud: issuer.resource,
      client_id: client.client_id,
    });
    const withoutSecret = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      refreshed.refresh_token ?? "",
      insecure,
    );
    expect(withoutSecret.status).toBe(401);
  });
});

describe("the consent page", () => {
  it("shows hidden characters in a client's name as escapes, so it cannot pose as another", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          // Reads "Claude.ai" reversed on screen without the override shown.
          client_name: "\u202eia.edualC\u200b\u200b",
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "none",
        },
        insecure,
      ),
    );
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    const page = await new Browser(issuer.base).go(url);
    expect(page.html).toContain("\\u202eia.edualC\\u200b×2");
    expect(page.html).not.toMatch(/[\u202e\u200b]/);
  });

  it("escapes what the client says about itself and forbids scripts and framing", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    const response = await fetch(url, { redirect: "manual" });
    const cookies = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const page = await fetch(new URL(response.headers.get("location") ?? "", issuer.base), {
      headers: { cookie: cookies },
    });
    const html = await page.text();
    expect(html).toContain("Test &lt;client&gt;");
    expect(html).not.toContain("<client>");
    expect(html).toContain("127.0.0.1:9");
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("tells a browser without the interaction cookie to start again", async () => {
    const { base } = await start();
    const response = await fetch(`${base}/oauth/interaction/unknown`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This sign-in has expired");
  });

  it("gives a person allowed only clicksend:read a read-only token when both are asked", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const tokens = await codeFlow(as, client, RUI, {
      resource: issuer.resource,
      scope: "clicksend:read clicksend:send",
    });
    const { payload } = await verify(issuer, tokens.access_token);
    expect(payload).toMatchObject({ sub: "rui", name: "Rui Costa", scope: "clicksend:read" });
  });

  it("refuses a person none of whose scopes the client asks for, and gives no code", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, {
      resource: issuer.resource,
      scope: "clicksend:send",
    });
    const { result } = await consent(issuer.base, url, {
      username: RUI.username,
      password: RUI.password,
      action: "approve",
    });
    expect(result.status).toBe(403);
    expect(result.redirect).toBeUndefined();
    expect(result.html).toContain("Rui Costa may not give any of the access this app asks for.");
  });

  it("asks for every scope when the client names none, and gives what the person may", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const tokens = await codeFlow(as, client, RUI, { resource: issuer.resource });
    const { payload } = await verify(issuer, tokens.access_token);
    expect(payload.scope).toBe("clicksend:read");
  });

  it("shows the page again on a wrong password, and the client gets no code", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    const { result } = await consent(issuer.base, url, {
      username: "ana",
      password: "wrong",
      action: "approve",
    });
    expect(result.redirect).toBeUndefined();
    expect(result.status).toBe(401);
    expect(result.html).toContain("Wrong username or password.");
    expect(result.html).not.toContain("code=");
  });

  it("answers access_denied to the client when the person denies", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const auth = await authorizationUrl(as, client, { resource: issuer.resource });
    const { result } = await consent(issuer.base, auth.url, { action: "deny" });
    expect(result.redirect?.searchParams.get("error")).toBe("access_denied");
    expect(result.redirect?.searchParams.has("code")).toBe(false);
    expect(() =>
      oauth.validateAuthResponse(as, client, result.redirect as URL, auth.state),
    ).toThrow(oauth.AuthorizationResponseError);
  });
});

describe("refusals", () => {
  it("refuses a resource other than this server's with invalid_target", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, { resource: "https://other.example/mcp" });
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_target");
  });

  it("refuses a token request for another resource with invalid_target", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const tokens = await codeFlow(as, client, ANA, { resource: issuer.resource });
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      tokens.refresh_token ?? "",
      { additionalParameters: { resource: "https://other.example/mcp" }, ...insecure },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_target" });
  });

  it.each(["none", "client_secret_basic"])(
    "refuses a %s client's request without PKCE",
    async (method) => {
      const issuer = await start();
      const as = await discover(issuer.base);
      const client = await registerPublicClient(as, method);
      const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
      url.searchParams.delete("code_challenge");
      url.searchParams.delete("code_challenge_method");
      const response = await fetch(url, { redirect: "manual" });
      const location = new URL(response.headers.get("location") ?? "");
      expect(location.searchParams.get("error")).toBe("invalid_request");
      expect(location.searchParams.get("error_description")).toMatch(/PKCE/);
    },
  );

  it("refuses the plain PKCE method", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    url.searchParams.set("code_challenge_method", "plain");
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });
});

/** The engines the built-in server's state lives in across processes: `open` another store on it. */
const engines: Array<{
  name: string;
  skip?: string;
  open: () => Promise<() => Promise<OAuthStore>>;
}> = [
  {
    name: "SQLite",
    open: async () => {
      const stateDir = mkdtempSync(join(tmpdir(), "cs-oauth-"));
      return () => openOAuthStore({ stateDir, sandbox: false, scope: "acct", env: {} });
    },
  },
  {
    name: "Redis",
    ...(redisServerPath() ? {} : { skip: "redis-server is not installed" }),
    open: async () => {
      redis ??= await startRedis();
      const redisUrl = redis.url;
      const scope = `builtin-${process.pid}-${redisScopes++}`;
      return () => openOAuthStore({ redisUrl, sandbox: false, scope, env: {} });
    },
  },
];
let redis: Redis | undefined;
let redisScopes = 0;
afterAll(async () => {
  await redis?.stop();
});

describe.each(engines)("keys, clients, grants and tokens in $name", ({ skip, open }) => {
  it.skipIf(skip !== undefined)(
    "survive a restart: the old access token verifies and the refresh token works",
    async () => {
      const reopen = await open();
      const first = await reopen();
      const before = await start({ store: first });
      const as = await discover(before.base);
      const client = await registerPublicClient(as);
      const tokens = await codeFlow(as, client, ANA, { resource: before.resource });
      const port = Number(new URL(before.base).port);
      await before.close();
      running.splice(running.indexOf(before), 1);
      await first.close();

      const second = await reopen();
      stores.push(second);
      const after = await start({ store: second, port });
      const { payload } = await verify(after, tokens.access_token);
      expect(payload.sub).toBe("ana");
      const refreshed = await refresh(as, client, tokens.refresh_token ?? "", after.resource);
      const again = await verify(after, refreshed.access_token);
      expect(again.payload).toMatchObject({ sub: "ana", name: ANA.name, aud: after.resource });
      expect(again.protectedHeader.kid).toBe(
        (await verify(after, tokens.access_token)).protectedHeader.kid,
      );
    },
  );

  it.skipIf(skip !== undefined)(
    "agree between two instances: register on A, sign in on B, token from A",
    async () => {
      const reopen = await open();
      const [storeA, storeB] = [await reopen(), await reopen()];
      stores.push(storeA, storeB);
      const a = await start({ store: storeA });
      const b = await start({ store: storeB, issuer: a.base });
      const as = await discover(a.base);
      const client = await registerPublicClient(as);
      const tokens = await codeFlow(as, client, ANA, {
        resource: a.resource,
        origins: [b.listening, a.listening],
      });
      expect((await verify(b, tokens.access_token)).payload.sub).toBe("ana");
      expect((await verify(a, tokens.access_token)).payload.sub).toBe("ana");
    },
  );
});

describe("the people file at a restart", () => {
  it("stop refreshing for a person whose scopes the people file narrowed", async () => {
    const store = memoryOAuthStore();
    stores.push(store);
    const before = await start({ store });
    const as = await discover(before.base);
    const client = await registerPublicClient(as);
    const tokens = await codeFlow(as, client, ANA, { resource: before.resource });
    const port = Number(new URL(before.base).port);
    await before.close();
    running.splice(running.indexOf(before), 1);

    const narrowed = await writePeopleFile([{ ...ANA, scopes: ["clicksend:read"] }, RUI]);
    await start({ store, port, people: narrowed });
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      tokens.refresh_token ?? "",
      insecure,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("Client ID Metadata Documents", () => {
  let documents: HttpsDocuments;
  let clientId: string;

  beforeAll(async () => {
    documents = await serveHttpsDocuments();
    clientId = `${documents.origin}/client.json`;
    documents.set("/client.json", {
      client_id: clientId,
      client_name: "Metadata client",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
  });
  afterAll(() => documents.close());

  it("are fetched from a private address when private clients are allowed", async () => {
    const issuer = await start({ allowPrivateClients: true });
    const as = await discover(issuer.base);
    const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: "none" };
    const tokens = await codeFlow(as, client, ANA, { resource: issuer.resource });
    const { payload } = await verify(issuer, tokens.access_token);
    expect(payload).toMatchObject({ client_id: clientId, sub: "ana" });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("are refused from a private address by default, and nothing is requested", async () => {
    const lines: string[] = [];
    const logger = createLogger("error", [(_level, message) => lines.push(message)]);
    const issuer = await start({ logger });
    const as = await discover(issuer.base);
    const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: "none" };
    const served = documents.requests.length;
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(await response.text()).toContain("invalid_client");
    expect(documents.requests.length).toBe(served);
    expect(lines.join("\n")).toContain(
      "authorization refused: invalid_client (client_id metadata document fetch failed)",
    );
  });
});

describe("dynamic registration", () => {
  it("takes a bounded number an hour, then says when to retry", async () => {
    let now = 1_000_000;
    const issuer = await start({ now: () => now, registrationsPerHour: 2 });
    const as = await discover(issuer.base);
    await registerPublicClient(as);
    now += 60_000;
    await registerPublicClient(as);
    const refused = await fetch(as.registration_endpoint as string, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(3600 - 60));
    expect(await refused.json()).toMatchObject({ error: "temporarily_unavailable" });
    now += 3_600_000 - 60_000;
    expect((await registerPublicClient(as)).client_id).toBeTruthy();
  });
});

describe("sign-in", () => {
  /** An issuer on a clock the test moves, and one sign-in attempt on its consent page. */
  async function signIns() {
    const clock = { now: 1_000_000 };
    const issuer = await start({ now: () => clock.now });
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const attempt = async (username: string, password: string) => {
      const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
      return (await consent(issuer.base, url, { username, password, action: "approve" })).result;
    };
    return { clock, attempt };
  }

  it("makes a username wait after repeated wrong passwords, the right one included", async () => {
    const { clock, attempt } = await signIns();
    for (let i = 0; i < 4; i++) expect((await attempt("ana", "wrong")).status).toBe(401);
    const waiting = await attempt("ana", ANA.password);
    expect(waiting.status).toBe(429);
    expect(waiting.redirect).toBeUndefined();
    expect(waiting.html).toContain("try again in 1 second");
    clock.now += 1000;
    expect((await attempt("ana", ANA.password)).redirect?.searchParams.has("code")).toBe(true);
  });

  it("makes an unknown username wait the same way, so waiting tells nothing", async () => {
    const { clock, attempt } = await signIns();
    for (let i = 0; i < 4; i++) {
      expect((await attempt("ana", "guess")).status).toBe(401);
      expect((await attempt("nobody", "guess")).status).toBe(401);
    }
    for (const username of ["ana", "nobody"]) {
      const waiting = await attempt(username, "guess");
      expect(waiting.status).toBe(429);
      expect(waiting.html).toContain("try again in 1 second");
    }
    clock.now += 1000;
    expect((await attempt("nobody", "guess")).status).toBe(401);
  });

  it("logs who allowed which client what, and no password, code, token or cookie", async () => {
    const lines: string[] = [];
    const logger = createLogger("error", [(_level, message) => lines.push(message)]);
    const issuer = await start({ logger });
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    const { url } = await authorizationUrl(as, client, { resource: issuer.resource });
    await consent(issuer.base, url, {
      username: "ana",
      password: "wrong password",
      action: "approve",
    });
    const tokens = await codeFlow(as, client, ANA, { resource: issuer.resource });
    const log = lines.join("\n");
    expect(log).toContain(
      `ana signed in and allowed client ${client.client_id}: clicksend:read clicksend:send`,
    );
    expect(log).toContain(`failed sign-in as ana for client ${client.client_id}`);
    for (const secret of [
      ANA.password,
      "wrong password",
      tokens.access_token,
      tokens.refresh_token,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/code=|_interaction|_session|scrypt\$/);
  });
});
