/**
 * The OAuth resource server end to end: the built server started with `--http --oauth <issuer>`
 * against oauth2-mock-server on loopback (real discovery, real signed JWTs, keys that rotate),
 * talking to a sandbox in this process so the test sees every request ClickSend would get.
 * Clients are the SDK's Streamable HTTP client with a token, and raw requests for refusals.
 */
import {
  Client,
  ClientCredentialsProvider,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { SignJWT, UnsecuredJWT } from "jose";
import {
  type MutableToken,
  OAuth2Server,
  type TokenRequestIncomingMessage,
} from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import type { HttpServer } from "./support/http.js";
import {
  connectHttp,
  INITIALIZE,
  MCP_HEADERS,
  postMcp,
  rawRequest,
  startHttpServer,
} from "./support/http.js";
import { liveEnv } from "./support/live.js";
import { freePort } from "./support/net.js";
import { contentText, dataOf } from "./support/results.js";
import { TEST_TO } from "./support/tool-args.js";
import { HANG_MS, sleep, until } from "./support/wait.js";

const STATIC_TOKEN = "static-operator-token-0123456789";
const BOTH = "clicksend:read clicksend:send";

type Claims = Record<string, unknown>;

async function startIssuer(): Promise<OAuth2Server> {
  const issuer = new OAuth2Server();
  await issuer.issuer.keys.generate("RS256");
  await issuer.start(0, "127.0.0.1");
  return issuer;
}

/** A signed token from this issuer (iss, iat, nbf, exp as it sets them), these claims on top. */
function tokenFrom(issuer: OAuth2Server, claims: Claims, kid?: string): Promise<string> {
  return issuer.issuer.buildToken({
    ...(kid ? { kid } : {}),
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, { sub: "alice", azp: "test-client", ...claims });
    },
  });
}

const sent = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.path === "sms/send").length;

/** The 2026-07-28 per-request envelope (test/protocol-eras.test.ts has the full story). */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "oauth-2026", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

describe("--http --oauth with an external issuer", () => {
  let issuer: OAuth2Server;
  let sandbox: Sandbox;
  let server: HttpServer;
  let issuerUrl: string;
  /** The server's public URL: on loopback without CLICKSEND_MCP_PUBLIC_URL, the bound one. */
  let resource: string;
  let prmUrl: string;
  const tokens: Record<"both" | "read" | "send" | "none", string> = {
    both: "",
    read: "",
    send: "",
    none: "",
  };

  const token = (claims: Claims, kid?: string) =>
    tokenFrom(issuer, { aud: resource, ...claims }, kid);

  /** A raw POST to /mcp with this bearer token (none: no Authorization header). */
  const post = (bearer: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    postMcp(server.url, bearer, body, headers);

  const callTool = (name: string, args: Record<string, unknown>) => ({
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name, arguments: args },
  });
  const sendSms = (body: string) => callTool("send_sms", { messages: [{ to: TEST_TO[0], body }] });

  const connect = (bearer: string) =>
    connectHttp(server.url, { authorization: `Bearer ${bearer}` });

  beforeAll(async () => {
    [issuer, sandbox] = await Promise.all([startIssuer(), startSandbox(CANARY)]);
    issuerUrl = issuer.issuer.url as string;
    server = await startHttpServer(
      ["--oauth", issuerUrl],
      liveEnv(sandbox, { CLICKSEND_MCP_HTTP_TOKEN: STATIC_TOKEN }),
      { live: true },
    );
    resource = server.url;
    prmUrl = `${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp`;
    tokens.both = await token({ scope: BOTH });
    tokens.read = await token({ scope: "clicksend:read" });
    tokens.send = await token({ scp: ["clicksend:send"] });
    tokens.none = await token({ scope: "openid profile" });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([issuer?.stop(), sandbox?.close()]);
  });

  it("says on stderr that OAuth is on and which issuer, and never logs a token", () => {
    expect(server.stderr()).toContain(`OAuth access tokens from ${issuerUrl} for ${resource}`);
    expect(server.stderr()).toContain("or the bearer token");
    for (const secret of [STATIC_TOKEN, ...Object.values(tokens)]) {
      expect(server.stderr()).not.toContain(secret);
    }
  });

  it("serves the Protected Resource Metadata at both paths, readable from any origin", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/mcp",
    ]) {
      const res = await fetch(new URL(path, server.url), {
        headers: { origin: "https://claude.ai" },
      });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(await res.json()).toEqual({
        resource,
        authorization_servers: [issuerUrl],
        scopes_supported: ["clicksend:read", "clicksend:send"],
        bearer_methods_supported: ["header"],
        resource_name: expect.stringContaining("ClickSend"),
      });
    }
    // Only reading it: the MCP endpoint itself still refuses a foreign Origin.
    const foreign = await post(tokens.both, INITIALIZE, { origin: "https://evil.example.com" });
    expect(foreign.status).toBe(403);
  });

  it("answers 401 without a token, pointing at the metadata, which resolves", async () => {
    const res = await post(undefined, INITIALIZE);
    expect(res.status).toBe(401);
    const challenge = res.headers["www-authenticate"] as string;
    expect(challenge).toBe(`Bearer resource_metadata="${prmUrl}", scope="${BOTH}"`);
    const metadata = (await (await fetch(prmUrl)).json()) as Claims;
    expect(metadata.resource).toBe(resource);
    expect(metadata.authorization_servers).toEqual([issuerUrl]);
  });

  it("serves a token with both scopes: list, read and send", async () => {
    const before = sent(sandbox);
    const client = await connect(tokens.both);
    try {
      expect(client.getInstructions()).toContain("clicksend:send");
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["get_account", "send_sms", "preview_sms"]));
      const account = await client.callTool({ name: "get_account", arguments: {} });
      expect(account.isError, contentText(account)).toBeFalsy();
      expect(dataOf(account)).toMatchObject({ username: CANARY.username });
      const send = await client.callTool({
        name: "send_sms",
        arguments: { messages: [{ to: TEST_TO[0], body: "Hello over OAuth" }] },
      });
      expect(send.isError, contentText(send)).toBeFalsy();
      expect(dataOf(send)).toMatchObject({ queued_count: 1 });
    } finally {
      await client.close();
    }
    expect(sent(sandbox)).toBe(before + 1);
  });

  it("lets clicksend:send alone read as well as send", async () => {
    const res = await post(tokens.send, callTool("get_account", {}));
    expect(res.status).toBe(200);
    expect(res.body).toContain(CANARY.username);
  });

  it("serves reads to a read-only token and refuses its send with the step-up answer; nothing is sent", async () => {
    const client = await connect(tokens.read);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("send_sms");
      const account = await client.callTool({ name: "get_account", arguments: {} });
      expect(account.isError, contentText(account)).toBeFalsy();
      const preview = await client.callTool({
        name: "preview_sms",
        arguments: { messages: [{ to: TEST_TO[0], body: "Just a preview" }] },
      });
      expect(preview.isError, contentText(preview)).toBeFalsy();
    } finally {
      await client.close();
    }

    const before = sandbox.requests.length;
    const refused = await post(tokens.read, sendSms("Not allowed"));
    expect(refused.status).toBe(403);
    const challenge = refused.headers["www-authenticate"] as string;
    expect(challenge).toMatch(/^Bearer error="insufficient_scope"/);
    expect(challenge).toContain(`scope="${BOTH}"`);
    expect(challenge).toContain(`resource_metadata="${prmUrl}"`);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "insufficient_scope" });
    // Nothing reached ClickSend at all: not the send, not even a lookup before it.
    expect(sandbox.requests.length).toBe(before);
    const history = await post(tokens.both, callTool("list_sms_history", {}));
    expect(history.status).toBe(200);
    expect(history.body).not.toContain("Not allowed");
  });

  it("refuses a token without either scope everything, asking for read on top of what it has", async () => {
    const res = await post(tokens.none, { jsonrpc: "2.0", id: 3, method: "tools/list" });
    expect(res.status).toBe(403);
    expect(res.headers["www-authenticate"]).toContain('scope="openid profile clicksend:read"');
  });

  it("answers 401 invalid_token to expired, early, foreign, tampered, unsigned and HMAC tokens", async () => {
    const other = await startIssuer();
    try {
      const now = Math.floor(Date.now() / 1000);
      const good = await token({ scope: BOTH });
      const [header, payload, signature] = good.split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Claims;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString(
        "base64url",
      );
      const kid = JSON.parse(Buffer.from(header, "base64url").toString()).kid as string;
      const cases: Record<string, string> = {
        expired: await token({ scope: BOTH, exp: now - 3600 }),
        "not yet valid": await token({ scope: BOTH, nbf: now + 3600 }),
        "foreign audience": await token({ scope: BOTH, aud: "https://elsewhere.example/mcp" }),
        "wrong issuer": await tokenFrom(other, { scope: BOTH, aud: resource }),
        "tampered payload": `${header}.${forged}.${signature}`,
        "tampered signature": `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
        "alg none": new UnsecuredJWT(claims).encode(),
        HS256: await new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256", kid })
          .sign(new TextEncoder().encode("a shared secret of at least 32 bytes!")),
      };
      for (const [what, bad] of Object.entries(cases)) {
        const res = await post(bad, INITIALIZE);
        expect(res.status, what).toBe(401);
        const challenge = res.headers["www-authenticate"] as string;
        expect(challenge, what).toMatch(/^Bearer error="invalid_token"/);
        expect(challenge, what).toContain(`resource_metadata="${prmUrl}"`);
      }
      expect((await post(good, INITIALIZE)).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it("accepts a token signed with a key the issuer added since, without a restart", async () => {
    const rotated = await issuer.issuer.keys.generate("ES256");
    const fresh = await token({ scope: BOTH }, rotated.kid);
    // The key set is fetched again for an unknown key at most once a second: ask until then.
    const deadline = Date.now() + HANG_MS;
    let status = 0;
    const seen = new Set<number>();
    while (status !== 200 && Date.now() < deadline) {
      status = (await post(fresh, INITIALIZE)).status;
      seen.add(status);
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    expect([...seen].filter((s) => s !== 200 && s !== 401)).toEqual([]);
  });

  it("still takes the static token, as the operator with every scope", async () => {
    const before = sent(sandbox);
    const res = await post(STATIC_TOKEN, sendSms("From the operator"));
    expect(res.status).toBe(200);
    expect(res.body).toContain('"queued_count":1');
    expect(sent(sandbox)).toBe(before + 1);
    // Neither token: the OAuth challenge, not the static token's.
    const neither = await post(undefined, INITIALIZE);
    expect(neither.headers["www-authenticate"]).toContain("resource_metadata=");
  });

  it("lets the SDK's own OAuth client find the issuer from the 401 and connect", async () => {
    // The mock issues client-credentials tokens without a subject, and for no audience.
    const bind = (token: MutableToken, req: TokenRequestIncomingMessage) => {
      Object.assign(token.payload, {
        sub: "service-account",
        aud: (req.body as { resource?: string }).resource,
      });
    };
    issuer.service.on("beforeTokenSigning", bind);
    const provider = new ClientCredentialsProvider({
      clientId: "texting-bot",
      clientSecret: "bot-secret",
      expectedIssuer: issuerUrl,
    });
    const client = new Client({ name: "oauth-sdk-client", version: "1.0.0" });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }),
      );
      const account = await client.callTool({ name: "get_account", arguments: {} });
      expect(account.isError, contentText(account)).toBeFalsy();
      // It asked for what the challenge named, for this server (RFC 8707).
      const granted = provider.tokens()?.access_token ?? "";
      const claims = JSON.parse(Buffer.from(granted.split(".")[1] ?? "", "base64url").toString());
      expect(claims).toMatchObject({ aud: resource, scope: BOTH });
    } finally {
      issuer.service.off("beforeTokenSigning", bind);
      await client.close();
    }
  });

  it("lets the SDK's client step up from a read-only grant when a send needs more", async () => {
    // The first grant is read-only (as if the person allowed only reads); later ones give what
    // the client asks for.
    const requested: string[] = [];
    const grant = (token: MutableToken, req: TokenRequestIncomingMessage) => {
      const { resource, scope } = req.body as { resource?: string; scope?: string };
      requested.push(scope ?? "");
      Object.assign(token.payload, {
        sub: "service-account",
        aud: resource,
        scope: requested.length === 1 ? "clicksend:read" : scope,
      });
    };
    issuer.service.on("beforeTokenSigning", grant);
    const provider = new ClientCredentialsProvider({
      clientId: "stepping-bot",
      clientSecret: "bot-secret",
      expectedIssuer: issuerUrl,
    });
    const client = new Client({ name: "oauth-step-up", version: "1.0.0" });
    const before = sent(sandbox);
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }),
      );
      const send = await client.callTool({
        name: "send_sms",
        arguments: { messages: [{ to: TEST_TO[2], body: "After a step-up" }] },
      });
      expect(send.isError, contentText(send)).toBeFalsy();
      // The refused attempt sent nothing: exactly one message went out.
      expect(sent(sandbox)).toBe(before + 1);
      // Two grants: the read-only one, then the step-up after the 403.
      expect(requested).toHaveLength(2);
      expect(requested[1]?.split(" ").sort()).toEqual(["clicksend:read", "clicksend:send"]);
    } finally {
      issuer.service.off("beforeTokenSigning", grant);
      await client.close();
    }
  });

  it("gates 2026-07-28 requests as it gates 2025 ones", async () => {
    const modern = (bearer: string | undefined, method: string, params: Claims) =>
      post(
        bearer,
        { jsonrpc: "2.0", id: 9, method, params: { ...params, _meta: ENVELOPE } },
        {
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": method,
          ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
        },
      );
    expect((await modern(undefined, "server/discover", {})).status).toBe(401);
    const listed = await modern(tokens.read, "tools/list", {});
    expect(listed.status).toBe(200);
    expect(listed.body).toContain('"send_sms"');
    const before = sandbox.requests.length;
    const send = { name: "send_sms", arguments: { messages: [{ to: TEST_TO[1], body: "2026" }] } };
    const refused = await modern(tokens.read, "tools/call", send);
    expect(refused.status).toBe(403);
    expect(refused.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    expect(sandbox.requests.length).toBe(before);
    const allowed = await modern(tokens.both, "tools/call", send);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain('"queued_count":1');
  });
});

describe("--http --oauth behind a public URL, and with the issuer away", () => {
  it("binds tokens and the metadata to CLICKSEND_MCP_PUBLIC_URL and accepts its Host", async () => {
    const issuer = await startIssuer();
    const publicUrl = "https://texts.example.com/mcp";
    const server = await startHttpServer(["--oauth", issuer.issuer.url as string], {
      CLICKSEND_MCP_PUBLIC_URL: publicUrl,
    });
    try {
      const headers = { ...MCP_HEADERS, host: "texts.example.com" };
      const metadata = await rawRequest(server.url, {
        method: "GET",
        path: "/.well-known/oauth-protected-resource/mcp",
        headers,
      });
      expect(JSON.parse(metadata.body).resource).toBe(publicUrl);
      const bound = await tokenFrom(issuer, { scope: BOTH, aud: publicUrl });
      const ok = await rawRequest(server.url, {
        headers: { ...headers, authorization: `Bearer ${bound}` },
        body: INITIALIZE,
      });
      expect(ok.status).toBe(200);
      // A token for the loopback URL is not one for this server any more.
      const local = await tokenFrom(issuer, { scope: BOTH, aud: server.url });
      const refused = await rawRequest(server.url, {
        headers: { ...headers, authorization: `Bearer ${local}` },
        body: INITIALIZE,
      });
      expect(refused.status).toBe(401);
      expect(refused.headers["www-authenticate"]).toContain(
        'resource_metadata="https://texts.example.com/.well-known/oauth-protected-resource/mcp"',
      );
    } finally {
      await server.stop();
      await issuer.stop();
    }
  });

  it("answers 503 with Retry-After while the issuer cannot be reached, and serves nothing", async () => {
    const port = await freePort();
    const away = `http://127.0.0.1:${port}`;
    // A well-signed token naming an issuer nobody answers for.
    const issuer = new OAuth2Server();
    await issuer.issuer.keys.generate("RS256");
    issuer.issuer.url = away;
    const server = await startHttpServer(["--oauth", away]);
    try {
      const signed = await tokenFrom(issuer, { scope: BOTH, aud: server.url });
      const res = await rawRequest(server.url, {
        headers: {
          ...MCP_HEADERS,
          host: new URL(server.url).host,
          authorization: `Bearer ${signed}`,
        },
        body: INITIALIZE,
      });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.body).not.toContain("serverInfo");
      // Said at start, and again for the refused request (stderr may arrive after the answer).
      await until("the start warning", () =>
        /OAuth: discovery of the issuer failed: .*503 until/.test(server.stderr()),
      );
      await until("the refusal's log line", () =>
        server.stderr().includes("could not check an access token: discovery"),
      );
      expect(server.stderr()).not.toContain(signed);
    } finally {
      await server.stop();
    }
  });
});
