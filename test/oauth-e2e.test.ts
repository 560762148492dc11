/**
 * OAuth end to end with the built-in authorization server: the built server started with
 * `--http --oauth builtin`, a ClickSend sandbox in this process (so the test sees every request
 * ClickSend would get), and clients that know nothing but the MCP URL. oauth4webapi discovers
 * the server from its 401 (RFC 9728, then RFC 8414), registers by dynamic registration and by a
 * Client ID Metadata Document served from this test over HTTPS, and runs PKCE through the consent
 * page; the MCP SDK's own client then does the same through its OAuth support.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { importJWK, type JWK, SignJWT, UnsecuredJWT } from "jose";
import { OAuth2Server } from "oauth2-mock-server";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { sqliteOAuthStore } from "../src/state/oauth-sqlite.js";
import {
  ANA,
  codeFlow,
  discover,
  insecure,
  REDIRECT_URI,
  RUI,
  refresh,
  registerPublicClient,
  writePeopleFile,
} from "./support/builtin-issuer.js";
import { CANARY } from "./support/canary.js";
import { connectHttp, type HttpServer, postMcp, startHttpServer } from "./support/http.js";
import { type HttpsDocuments, serveHttpsDocuments } from "./support/https-documents.js";
import { liveEnv } from "./support/live.js";
import { freePort } from "./support/net.js";
import { Browser } from "./support/oauth-browser.js";
import { contentText, dataOf } from "./support/results.js";
import { TEST_TO } from "./support/tool-args.js";

const sent = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.path === "sms/send").length;

/** The bearer-token challenge's parameters, e.g. { resource_metadata, scope, error }. */
function challenge(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join(", ") : (header ?? "");
  return Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe("--http --oauth builtin, end to end", () => {
  let sandbox: Sandbox;
  let documents: HttpsDocuments;
  let server: HttpServer;
  let stateDir: string;
  let resource: string;
  let as: oauth.AuthorizationServer;
  /** Ana's token (both scopes, dynamic registration) and Rui's (read only, metadata document). */
  const tokens = { ana: "", rui: "" };

  const post = (bearer: string | undefined, body: unknown) => postMcp(server.url, bearer, body);
  const sendSms = (body: string) => ({
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name: "send_sms", arguments: { messages: [{ to: TEST_TO[0], body }] } },
  });

  const connect = (bearer: string) =>
    connectHttp(server.url, { authorization: `Bearer ${bearer}` });

  beforeAll(async () => {
    [sandbox, documents] = await Promise.all([startSandbox(CANARY), serveHttpsDocuments()]);
    stateDir = mkdtempSync(join(tmpdir(), "cs-oauth-e2e-"));
    const ca = join(stateDir, "ca.pem");
    writeFileSync(ca, documents.cert);
    server = await startHttpServer(
      ["--oauth", "builtin"],
      liveEnv(sandbox, {
        CLICKSEND_MCP_OAUTH_USERS: await writePeopleFile([ANA, RUI]),
        // The metadata document is served from this test's loopback HTTPS server.
        CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS: "1",
        NODE_EXTRA_CA_CERTS: ca,
        CLICKSEND_STATE_DIR: stateDir,
      }),
      { live: true },
    );
    resource = server.url;
  });

  afterAll(async () => {
    await server?.stop();
    await documents?.close();
    await sandbox?.close();
  });

  it("is discovered from its 401: protected resource metadata, then the issuer's", async () => {
    const refused = await post(undefined, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(refused.status).toBe(401);
    const { resource_metadata: metadataUrl } = challenge(refused.headers["www-authenticate"]);
    expect(metadataUrl).toBe(
      `${new URL(resource).origin}/.well-known/oauth-protected-resource/mcp`,
    );

    const rs = await oauth.processResourceDiscoveryResponse(
      new URL(resource),
      await oauth.resourceDiscoveryRequest(new URL(resource), insecure),
    );
    expect(rs.scopes_supported).toEqual(["clicksend:read", "clicksend:send"]);
    const [issuer] = rs.authorization_servers ?? [];
    expect(issuer).toBe(new URL(resource).origin);
    as = await discover(issuer as string);
    expect(as).toMatchObject({
      client_id_metadata_document_supported: true,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.token_endpoint_auth_methods_supported).toContain("none");
    expect(as.registration_endpoint).toBeDefined();
  });

  it("registers dynamically, runs PKCE through the consent page, and sends as the person", async () => {
    const client = await registerPublicClient(as);
    const response = await codeFlow(as, client, ANA, { resource });
    expect(response.scope?.split(" ").sort()).toEqual(["clicksend:read", "clicksend:send"]);
    tokens.ana = response.access_token;

    const mcp = await connect(tokens.ana);
    const names = (await mcp.listTools()).tools.map((t) => t.name);
    expect(names).toContain("send_sms");
    const before = sent(sandbox);
    const result = await mcp.callTool({
      name: "send_sms",
      arguments: { messages: [{ to: TEST_TO[0], body: "Your table is ready" }] },
    });
    expect(result.isError).toBeFalsy();
    expect(sent(sandbox)).toBe(before + 1);
    // The send audit says who sent it: the token's subject and name.
    const audit = await mcp.readResource({ uri: "clicksend://sends/today" });
    const text = audit.contents.map((c) => ("text" in c ? c.text : "")).join("");
    expect(text).toContain('"by":{"sub":"ana","name":"Ana <b>Silva</b>"}');
    await mcp.close();
  });

  it("takes a Client ID Metadata Document; a read-only token is refused a send with step-up", async () => {
    const clientId = `${documents.origin}/clients/reader.json`;
    documents.set("/clients/reader.json", {
      client_id: clientId,
      client_name: "Reader",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
    const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: "none" };
    const response = await codeFlow(as, client, RUI, { resource });
    expect(documents.requests).toContain("/clients/reader.json");
    expect(response.scope).toBe("clicksend:read");
    tokens.rui = response.access_token;

    const mcp = await connect(tokens.rui);
    expect((await mcp.listTools()).tools.map((t) => t.name)).toContain("send_sms");
    const account = await mcp.callTool({ name: "get_account", arguments: {} });
    expect(account.isError).toBeFalsy();
    await mcp.close();

    const before = sandbox.requests.length;
    const refused = await post(tokens.rui, sendSms("Nothing should leave"));
    expect(refused.status).toBe(403);
    const params = challenge(refused.headers["www-authenticate"]);
    expect(params.error).toBe("insufficient_scope");
    expect(params.scope?.split(" ")).toContain("clicksend:send");
    expect(params.resource_metadata).toContain("/.well-known/oauth-protected-resource/mcp");
    // Nothing reached ClickSend: not the send, not even a read on the way.
    expect(sandbox.requests.length).toBe(before);
  });

  describe("tokens that must not pass get 401", () => {
    /** A token signed with the built-in issuer's own key: only the claims are wrong. */
    async function signedByIssuer(claims: Record<string, unknown>): Promise<string> {
      const file = readdirSync(stateDir).find((name) => name.endsWith(".oauth.sqlite"));
      const store = sqliteOAuthStore({ file: join(stateDir, file as string) });
      const set = JSON.parse(
        await store.once("builtin-issuer/jwks", () => {
          throw new Error("the issuer has no keys yet");
        }),
      ) as { keys: JWK[] };
      await store.close();
      const jwk = set.keys[0] as JWK;
      const now = Math.floor(Date.now() / 1000);
      // The claims given replace the good ones (SignJWT's setters would overwrite them).
      const payload = {
        iss: new URL(resource).origin,
        sub: "ana",
        aud: resource,
        iat: now - 60,
        exp: now + 600,
        scope: "clicksend:read clicksend:send",
        client_id: "forged",
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: "ES256", kid: jwk.kid as string, typ: "at+jwt" })
        .sign(await importJWK(jwk, "ES256"));
    }

    const list = { jsonrpc: "2.0", id: 3, method: "tools/list" };

    it("the issuer's own key still signs a good one (the control)", async () => {
      expect((await post(await signedByIssuer({}), list)).status).toBe(200);
    });

    it.each([
      ["expired", { exp: Math.floor(Date.now() / 1000) - 120 }],
      ["for another audience", { aud: "https://other.example/mcp" }],
      ["not yet valid", { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ])("%s", async (_label, claims) => {
      const before = sandbox.requests.length;
      const refused = await post(await signedByIssuer(claims), sendSms("Forged"));
      expect(refused.status).toBe(401);
      expect(challenge(refused.headers["www-authenticate"]).error).toBe("invalid_token");
      expect(sandbox.requests.length).toBe(before);
    });

    it("tampered, unsigned (alg: none) or from another issuer", async () => {
      const [header, payload, signature] = tokens.rui.split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      const widened = Buffer.from(
        JSON.stringify({ ...claims, scope: "clicksend:read clicksend:send" }),
      ).toString("base64url");
      const tampered = `${header}.${widened}.${signature}`;
      const unsigned = new UnsecuredJWT(claims).encode();

      const other = new OAuth2Server();
      await other.issuer.keys.generate("ES256");
      await other.start(0, "127.0.0.1");
      const foreign = await other.issuer.buildToken({
        scopesOrTransform: (_h, p) =>
          Object.assign(p, { sub: "ana", aud: resource, scope: "clicksend:send" }),
      });
      await other.stop();

      const before = sandbox.requests.length;
      for (const token of [tampered, unsigned, foreign]) {
        const refused = await post(token, sendSms("Forged"));
        expect(refused.status).toBe(401);
      }
      expect(sandbox.requests.length).toBe(before);
    });
  });

  it("the MCP SDK's client connects through its own OAuth support", async () => {
    let authorizationUrl: URL | undefined;
    const saved: {
      client?: Awaited<ReturnType<NonNullable<OAuthClientProvider["clientInformation"]>>>;
      tokens?: Awaited<ReturnType<OAuthClientProvider["tokens"]>>;
      verifier?: string;
    } = {};
    const provider: OAuthClientProvider = {
      get redirectUrl() {
        return REDIRECT_URI;
      },
      get clientMetadata() {
        return {
          client_name: "SDK client",
          redirect_uris: [REDIRECT_URI],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        };
      },
      clientInformation: () => saved.client,
      saveClientInformation: (info) => {
        saved.client = info;
      },
      tokens: () => saved.tokens,
      saveTokens: (tokens) => {
        saved.tokens = tokens;
      },
      redirectToAuthorization: (url) => {
        authorizationUrl = url;
      },
      saveCodeVerifier: (verifier) => {
        saved.verifier = verifier;
      },
      codeVerifier: () => saved.verifier as string,
    };
    const first = new StreamableHTTPClientTransport(new URL(server.url), {
      authProvider: provider,
    });
    await expect(new Client({ name: "sdk", version: "1" }).connect(first)).rejects.toThrow(
      UnauthorizedError,
    );
    expect(authorizationUrl?.searchParams.get("resource")).toBe(resource);
    expect(authorizationUrl?.searchParams.get("code_challenge_method")).toBe("S256");

    // The person signs in on the consent page; the browser lands on the client's redirect URI.
    const browser = new Browser(new URL(resource).origin);
    const page = await browser.go(authorizationUrl as URL);
    const landed = await browser.submit(page.html as string, {
      username: ANA.username,
      password: ANA.password,
      action: "approve",
    });
    expect(landed.redirect?.searchParams.get("code")).toBeTruthy();
    await first.finishAuth((landed.redirect as URL).searchParams);
    expect(saved.tokens?.access_token).toBeTruthy();

    const mcp = new Client({ name: "sdk", version: "1" });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }),
    );
    const account = await mcp.callTool({ name: "get_account", arguments: {} });
    expect(account.isError).toBeFalsy();
    expect(dataOf(account)).toBeDefined();
    await mcp.close();
  });
});

describe("--oauth builtin across a restart on the same state directory", () => {
  it("keeps its keys and grants: the old token still works and its refresh token refreshes", async () => {
    const sandbox = await startSandbox(CANARY);
    const stateDir = mkdtempSync(join(tmpdir(), "cs-oauth-restart-"));
    // The issuer is the server's origin, so the second process must listen where the first did.
    const port = String(await freePort());
    const env = liveEnv(sandbox, {
      CLICKSEND_MCP_OAUTH_USERS: await writePeopleFile([ANA]),
      CLICKSEND_STATE_DIR: stateDir,
    });
    const start = () =>
      startHttpServer(["--oauth", "builtin", "--port", port], env, { live: true });
    let server = await start();
    try {
      const resource = server.url;
      const as = await discover(new URL(resource).origin);
      const client = await registerPublicClient(as);
      const before = await codeFlow(as, client, ANA, { resource });
      expect(before.refresh_token).toBeTruthy();
      await server.stop();

      server = await start();
      expect(server.url).toBe(resource);
      const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
      const send = (token: string) => postMcp(server.url, token, list);
      expect((await send(before.access_token)).status).toBe(200);
      const refreshed = await refresh(as, client, before.refresh_token as string, resource);
      expect(refreshed.access_token).not.toBe(before.access_token);
      expect((await send(refreshed.access_token)).status).toBe(200);
    } finally {
      await server.stop();
      await sandbox.close();
    }
  });
});

describe("--oauth builtin, two processes on one state directory behind one public URL", () => {
  it("agree: registered on one, signed in through the other, one person's limit held across both", async () => {
    const sandbox = await startSandbox(CANARY);
    const stateDir = mkdtempSync(join(tmpdir(), "cs-oauth-two-"));
    const portA = String(await freePort());
    // As behind a load balancer: both serve the same public URL, so the same issuer.
    const publicUrl = `http://127.0.0.1:${portA}/mcp`;
    const env = liveEnv(sandbox, {
      CLICKSEND_MCP_OAUTH_USERS: await writePeopleFile([ANA]),
      CLICKSEND_STATE_DIR: stateDir,
      CLICKSEND_MCP_PUBLIC_URL: publicUrl,
      CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT: "3",
    });
    const a = await startHttpServer(["--oauth", "builtin", "--port", portA], env, { live: true });
    const b = await startHttpServer(["--oauth", "builtin"], env, { live: true });
    try {
      const as = await discover(new URL(publicUrl).origin);
      const client = await registerPublicClient(as);
      // The authorization request and the consent page go to B; the client registered on A.
      const tokens = await codeFlow(as, client, ANA, {
        resource: publicUrl,
        origins: [new URL(b.url).origin, new URL(a.url).origin],
      });
      for (const server of [a, b]) {
        const listed = await postMcp(server.url, tokens.access_token, {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/list",
        });
        expect(listed.status).toBe(200);
      }
      // Ana's allowance is 3 messages a day: 8 sends at once, half through each process, send 3.
      const clients = await Promise.all(
        [a, b].map((server) =>
          connectHttp(server.url, { authorization: `Bearer ${tokens.access_token}` }),
        ),
      );
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (clients[i % 2] as Client).callTool({
            name: "send_sms",
            arguments: { messages: [{ to: TEST_TO[0], body: `Parallel ${i}` }] },
          }),
        ),
      );
      await Promise.all(clients.map((client) => client.close()));
      expect(results.filter((result) => !result.isError)).toHaveLength(3);
      const refusals = results.filter((result) => result.isError).map(contentText);
      for (const text of refusals) expect(text).toContain("CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT");
      expect(sent(sandbox)).toBe(3);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await sandbox.close();
    }
  });
});
