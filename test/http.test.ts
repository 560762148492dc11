/**
 * The Streamable HTTP transport (--http): the built server spawned as a user starts it, driven by
 * the SDK's Streamable HTTP client and by raw requests for everything a client should not send.
 */
import { createHash } from "node:crypto";
import { connect as connectTcp, type Socket } from "node:net";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClickSendClient } from "../src/client.js";
import { type Config, parseCli } from "../src/config.js";
import { ConfigError } from "../src/errors.js";
import {
  allowedHostnames,
  type HttpServerOptions,
  type HttpServer as InProcessHttpServer,
  MAX_BODY_BYTES,
  startHttpServer as startInProcess,
  tokenMatches,
} from "../src/http.js";
import { silentLogger } from "../src/logger.js";
import { createServer, SANDBOX_NOTICE, selectTools } from "../src/server.js";
import { tools as registry, toolsets } from "../tools/index.js";
import {
  connectHttp,
  type HttpServer,
  INITIALIZE,
  MCP_HEADERS,
  rawRequest,
  startHttpServer,
} from "./support/http.js";
import { contentText as text } from "./support/results.js";
import { runCli } from "./support/stdio.js";
import { within } from "./support/wait.js";

const TOKEN = "test-token-0123456789abcdef";
const AUTH = { authorization: `Bearer ${TOKEN}` };

const connect = (url: string, headers: Record<string, string> = AUTH) => connectHttp(url, headers);

describe("--http with CLICKSEND_MCP_HTTP_TOKEN on loopback", () => {
  let server: HttpServer;
  const host = () => new URL(server.url).host;

  beforeAll(async () => {
    server = await startHttpServer([], { CLICKSEND_MCP_HTTP_TOKEN: TOKEN });
  });
  afterAll(() => server?.stop("SIGKILL"));

  it("binds 127.0.0.1 and serves /mcp", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.stderr()).toContain("(bearer token required)");
    expect(server.stderr()).not.toContain(TOKEN);
  });

  it("lists the tools and runs a tool through the SDK's Streamable HTTP client", async () => {
    const client = await connect(server.url);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("get_account");
      const result = (await client.callTool({
        name: "get_account",
        arguments: {},
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(text(result).startsWith(SANDBOX_NOTICE)).toBe(true);
      expect(result.structuredContent).toMatchObject({ username: expect.any(String) });
    } finally {
      await client.close();
    }
  });

  it("sends a tool failure as a log notification, at the level the client set", async () => {
    const client = await connect(server.url);
    const logs: Array<{ level: string; data: unknown }> = [];
    client.setNotificationHandler("notifications/message", (n) => {
      logs.push(n.params);
    });
    try {
      await client.setLoggingLevel("warning");
      const failed = (await client.callTool({
        name: "get_account",
        arguments: { bogus: 1 },
      })) as CallToolResult;
      expect(failed.isError).toBe(true);
      expect(logs).toEqual([
        expect.objectContaining({
          level: "warning",
          data: expect.stringMatching(/^get_account failed: /),
        }),
      ]);

      // Stateless HTTP has no session: the level is kept for the process, not the request.
      await client.setLoggingLevel("error");
      await client.callTool({ name: "get_account", arguments: { bogus: 1 } });
      expect(logs).toHaveLength(1);
    } finally {
      await client.setLoggingLevel("info");
      await client.close();
    }
  });

  it("serves concurrent requests, each on its own stream", async () => {
    const headers = { ...MCP_HEADERS, ...AUTH, host: host() };
    const call = (id: number) =>
      rawRequest(server.url, {
        headers,
        body: JSON.stringify(
          id % 2
            ? { jsonrpc: "2.0", id, method: "tools/list", params: {} }
            : {
                jsonrpc: "2.0",
                id,
                method: "tools/call",
                params: { name: "get_account", arguments: {} },
              },
        ),
      });
    const responses = await Promise.all([11, 12, 13, 14].map(call));
    responses.forEach((res, i) => {
      expect(res.status).toBe(200);
      const data = JSON.parse(/^data: (.*)$/m.exec(res.body)?.[1] ?? "null");
      expect(data.id).toBe(11 + i);
      expect(data.result[i % 2 ? "content" : "tools"]).toBeDefined();
    });
  });

  it("answers 401 without the token or with a wrong one, and 200 with it", async () => {
    const headers = { ...MCP_HEADERS, host: host() };
    const missing = await rawRequest(server.url, { headers, body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(JSON.parse(missing.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });

    for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer`, TOKEN]) {
      const wrong = await rawRequest(server.url, {
        headers: { ...headers, authorization },
        body: INITIALIZE,
      });
      expect(wrong.status, authorization).toBe(401);
    }

    const ok = await rawRequest(server.url, { headers: { ...headers, ...AUTH }, body: INITIALIZE });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('"serverInfo"');
  });

  it("answers 403 to a foreign Host or Origin (DNS rebinding), before asking for the token", async () => {
    const port = new URL(server.url).port;
    for (const headers of [
      { host: `evil.example.com:${port}` } as Record<string, string>,
      { host: host(), origin: "http://evil.example.com" },
      { host: host(), origin: "null" },
    ]) {
      const res = await rawRequest(server.url, {
        headers: { ...MCP_HEADERS, ...AUTH, ...headers },
        body: INITIALIZE,
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body).error.message).toMatch(/^Forbidden/);
    }
    for (const headers of [
      { host: `localhost:${port}`, origin: `http://localhost:${port}` },
      { host: host(), origin: `http://127.0.0.1:${port}` },
    ]) {
      const res = await rawRequest(server.url, {
        headers: { ...MCP_HEADERS, ...AUTH, ...headers },
        body: INITIALIZE,
      });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
  });

  it("answers 404 off /mcp, 405 to other methods and 400 to malformed JSON", async () => {
    const headers = { ...MCP_HEADERS, ...AUTH, host: host() };
    const notFound = await rawRequest(server.url, { path: "/", headers, body: INITIALIZE });
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body).error.message).toContain("/mcp");

    for (const method of ["GET", "DELETE", "PUT"]) {
      const res = await rawRequest(server.url, { method, headers });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe("POST");
    }

    const bad = await rawRequest(server.url, { headers, body: '{"jsonrpc": "2.0", ' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe(-32700);
  });

  it("answers 413 to a body over 1 MiB, declared or streamed", async () => {
    const headers = { ...MCP_HEADERS, ...AUTH, host: host() };
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, " ");
    // Declared too large: refused from the headers alone, before any body is read.
    const declared = await rawRequest(server.url, {
      headers: { ...headers, "content-length": String(big.length) },
    });
    expect(declared.status).toBe(413);
    const expecting = await rawRequest(server.url, {
      headers: { ...headers, "content-length": String(big.length), expect: "100-continue" },
      body: big,
    });
    expect(expecting.status).toBe(413);
    // Chunked, with no length to go by: refused once the limit is crossed.
    const streamed = await rawRequest(server.url, {
      headers: { ...headers, "transfer-encoding": "chunked" },
      body: big,
    });
    expect(streamed.status).toBe(413);
    // The server is still serving afterwards.
    const ok = await rawRequest(server.url, { headers, body: INITIALIZE });
    expect(ok.status).toBe(200);
  });

  it("never logs the token or the Authorization header", () => {
    expect(server.stderr()).not.toContain(TOKEN);
    expect(server.stderr().toLowerCase()).not.toContain("bearer test");
  });
});

describe("--http without a token", () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(() => server?.stop("SIGKILL"));

  it("needs no token on loopback", async () => {
    const client = await connect(server.url, {});
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it("shuts down cleanly on SIGTERM", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
  });
});

describe("--http with operator guards", () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer(["--toolsets", "account,sms", "--daily-message-limit", "1"]);
  });
  afterAll(() => server?.stop("SIGKILL"));

  it("applies them, with state shared by every request of the process", async () => {
    const client = await connect(server.url, {});
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      const chosen = selectTools(registry, { toolsets: ["account", "sms"] }).map((t) => t.name);
      // The guard really leaves tools out, and keeps the send tool in.
      expect(chosen.length).toBeLessThan(registry.length);
      expect(chosen).toContain("send_sms");
      expect(names).toEqual(chosen);
      const send = (body: string) =>
        client.callTool({
          name: "send_sms",
          arguments: { messages: [{ to: "+61411111111", body }] },
        }) as Promise<CallToolResult>;
      // Each call is its own POST and its own MCP Server: the daily count must outlive both.
      expect((await send("first")).isError).toBeFalsy();
      const second = await send("second");
      expect(second.isError).toBe(true);
      expect(text(second)).toMatch(/daily/i);
    } finally {
      await client.close();
    }
  });
});

describe("refusing unsafe HTTP set-ups", () => {
  it("refuses to bind a non-loopback address without a token: exit 2, one line", async () => {
    const run = await runCli(["--sandbox", "--http", "--host", "0.0.0.0"], {}, 15_000);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^clicksend-mcp: configuration error: .*CLICKSEND_MCP_HTTP_TOKEN/);
  });
});

describe("HTTP configuration", () => {
  const SANDBOX = { CLICKSEND_SANDBOX: "1" };
  const http = (argv: string[], env: Record<string, string> = {}) => {
    const action = parseCli(argv, { ...SANDBOX, ...env }, toolsets);
    if (action.kind !== "serve") throw new Error("expected serve");
    return (action.config as Config).http;
  };
  const problems = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parseCli(argv, { ...SANDBOX, ...env }, toolsets);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error("expected a configuration error");
  };

  it("defaults to stdio, and --http to 127.0.0.1:8787 without a token", () => {
    expect(http([])).toBeUndefined();
    expect(http(["--http"])).toEqual({ host: "127.0.0.1", port: 8787, allowedHosts: [] });
    expect(http(["--http", "--port=0", "--host", "::1"])).toMatchObject({ host: "::1", port: 0 });
    expect(http(["--http", "--host", "[::1]"])).toMatchObject({ host: "::1" });
  });

  it("validates --port and --host, and wants --http for them", () => {
    for (const port of ["65536", "-1", "80.5", "http", ""]) {
      expect(problems(["--http", `--port=${port}`]).join(), port).toMatch(/--port must be/);
    }
    expect(problems(["--http", "--host", "example.com"])[0]).toMatch(/--host must be an IP/);
    expect(problems(["--port", "9000"])).toEqual(["--port needs --http"]);
    expect(problems(["--host", "127.0.0.1"])).toEqual(["--host needs --http"]);
  });

  it("needs a token off loopback, and a long one whenever set", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.10"]) {
      expect(problems(["--http", "--host", host])[0]).toContain("CLICKSEND_MCP_HTTP_TOKEN");
    }
    expect(http(["--http", "--host", "0.0.0.0"], { CLICKSEND_MCP_HTTP_TOKEN: TOKEN })).toEqual({
      host: "0.0.0.0",
      port: 8787,
      token: TOKEN,
      allowedHosts: [],
    });
    const short = problems(["--http"], { CLICKSEND_MCP_HTTP_TOKEN: "short" });
    expect(short).toEqual([
      "CLICKSEND_MCP_HTTP_TOKEN must be at least 16 characters without spaces",
    ]);
    expect(short.join()).not.toContain("short");
  });

  it("reads extra allowed host names", () => {
    expect(
      http(["--http"], { CLICKSEND_MCP_ALLOWED_HOSTS: "MCP.example.com, gw.internal" })
        ?.allowedHosts,
    ).toEqual(["mcp.example.com", "gw.internal"]);
    expect(problems(["--http"], { CLICKSEND_MCP_ALLOWED_HOSTS: "a.com:80/x" })[0]).toMatch(
      /CLICKSEND_MCP_ALLOWED_HOSTS/,
    );
  });

  it("treats an unfilled user_config placeholder as unset", () => {
    expect(http(["--http"], { CLICKSEND_MCP_HTTP_TOKEN: `\${user_config.http_token}` })).toEqual({
      host: "127.0.0.1",
      port: 8787,
      allowedHosts: [],
    });
  });
});

describe("Host and Origin checks", () => {
  it("accepts the loopback names for a loopback bind, and only the bound name otherwise", () => {
    expect([...allowedHostnames("127.0.0.1")].sort()).toEqual(["127.0.0.1", "::1", "localhost"]);
    expect([...allowedHostnames("10.1.2.3", ["[::2]", "MCP.example.com"])].sort()).toEqual([
      "10.1.2.3",
      "::2",
      "mcp.example.com",
    ]);
    const wildcard = allowedHostnames("0.0.0.0");
    expect(wildcard.has("127.0.0.1")).toBe(true);
    expect(wildcard.has("evil.example.com")).toBe(false);
  });

  it("compares the bearer token exactly", () => {
    const expected = createHash("sha256").update(TOKEN).digest();
    expect(tokenMatches(`Bearer ${TOKEN}`, expected)).toBe(true);
    expect(tokenMatches(`bearer  ${TOKEN}`, expected)).toBe(true);
    for (const header of [
      undefined,
      "",
      "Bearer ",
      `Bearer ${TOKEN} x`,
      `Bearer ${TOKEN.slice(1)}`,
    ]) {
      expect(tokenMatches(header, expected), String(header)).toBe(false);
    }
  });
});

describe("slow and piled-up requests (the transport in process)", () => {
  let server: InProcessHttpServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.close();
    server = undefined;
  });

  async function serve(limits: Partial<HttpServerOptions>): Promise<InProcessHttpServer> {
    // No tool runs here: the client is never called.
    const client = createClickSendClient({
      baseUrl: "http://127.0.0.1:9/v3",
      auth: { kind: "none" },
      timeoutMs: 1000,
    });
    server = await startInProcess({
      host: "127.0.0.1",
      port: 0,
      allowedHosts: [],
      logger: silentLogger,
      createServer: () => createServer({ client, tools: [] }),
      ...limits,
    });
    return server;
  }

  /** A request that sends `sent` and then nothing more; resolves with what came back at close. */
  function stalled(url: string, sent: string): { answer: Promise<string> } {
    const { port } = new URL(url);
    const socket = connectTcp(Number(port), "127.0.0.1");
    sockets.push(socket);
    socket.write(sent);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    return {
      answer: new Promise((resolve) => {
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
        socket.on("error", () => {});
      }),
    };
  }
  const headersOf = (url: string, length: number) =>
    `POST /mcp HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n`;

  it("answers 408 and closes when the body or the headers stop coming", async () => {
    const { url } = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const slowBody = stalled(url, `${headersOf(url, 1000)}{"jsonrpc":"2.0",`);
    const slowHeaders = stalled(url, `POST /mcp HTTP/1.1\r\nHost: ${new URL(url).host}\r\n`);
    // Node's own default would wait 300 s.
    for (const { answer } of [slowBody, slowHeaders]) {
      expect(await within(15_000, "the 408", answer)).toMatch(/^HTTP\/1\.1 408 /);
    }
    const ok = await rawRequest(url, { headers: MCP_HEADERS, body: INITIALIZE });
    expect(ok.status).toBe(200);
  });

  it("answers 503 with Retry-After beyond the requests in flight, and serves again after", async () => {
    const { url } = await serve({ maxConcurrentRequests: 2, requestTimeoutMs: 60_000 });
    for (let i = 0; i < 2; i++) stalled(url, `${headersOf(url, 1000)}{"jsonrpc":"2.0",`);
    const probe = () => rawRequest(url, { headers: MCP_HEADERS, body: INITIALIZE });
    let busy = await probe();
    for (let tries = 0; busy.status !== 503 && tries < 100; tries++) busy = await probe();
    expect(busy.status).toBe(503);
    expect(busy.headers["retry-after"]).toBe("1");
    expect(JSON.parse(busy.body)).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: expect.stringMatching(/^Server busy/) },
    });

    sockets[0]?.destroy();
    let ok = await probe();
    for (let tries = 0; ok.status !== 200 && tries < 100; tries++) ok = await probe();
    expect(ok.status).toBe(200);
  });
});
