/**
 * Both protocol generations, over both transports, against the built server: the SDK v2 client
 * once with the 2025 handshake (initialize) and once pinned to 2026-07-28 (server/discover, a
 * _meta envelope on every request), over stdio and over Streamable HTTP. Each connects, lists,
 * reads, sends once, gets an error result and cancels a call in flight. The server talks to a
 * sandbox in this process, so the test sees every request ClickSend would have received.
 */
import {
  Client,
  type ClientOptions,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RequestRecord, type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import { type HttpServer, startHttpServer } from "./support/http.js";
import { liveEnv } from "./support/live.js";
import { contentText, dataOf } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { TEST_TO } from "./support/tool-args.js";
import { until } from "./support/wait.js";

const ERAS: Record<string, ClientOptions> = {
  legacy: {},
  modern: { versionNegotiation: { mode: { pin: "2026-07-28" } } },
};

interface Connection {
  client: Client;
  stop(): Promise<unknown>;
}

async function connect(
  transport: "stdio" | "http",
  era: string,
  sandbox: Sandbox,
): Promise<Connection> {
  const env = liveEnv(sandbox, {
    CLICKSEND_TOOLSETS: "all",
    // The call cancelled below must end because it was cancelled, not by the client's timeout
    // (the longest there is), however long the machine takes to get there.
    CLICKSEND_TIMEOUT_MS: "300000",
  });
  const client = new Client({ name: `eras-${transport}-${era}`, version: "1.0.0" }, ERAS[era]);
  if (transport === "stdio") {
    const server: StdioServer = await startServer([], env);
    await client.connect(server);
    return { client, stop: () => client.close() };
  }
  const server: HttpServer = await startHttpServer([], env, { live: true });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  return {
    client,
    stop: async () => {
      await client.close();
      await server.stop();
    },
  };
}

describe.each(["stdio", "http"] as const)("over %s", (transport) => {
  describe.each(Object.keys(ERAS))("a %s client", (era) => {
    let sandbox: Sandbox;
    let connection: Connection;
    let client: Client;

    beforeAll(async () => {
      sandbox = await startSandbox(CANARY);
      connection = await connect(transport, era, sandbox);
      client = connection.client;
    });

    afterAll(async () => {
      await connection?.stop();
      await sandbox?.close();
    });

    it("connects in the generation it asked for and learns who the server is", () => {
      expect(client.getProtocolEra()).toBe(era);
      expect(client.getServerVersion()?.name).toBe("clicksend-mcp");
      expect(client.getServerCapabilities()?.tools).toBeDefined();
    });

    it("lists every tool, in the same order each time", async () => {
      const first = (await client.listTools()).tools.map((tool) => tool.name);
      const second = (await client.listTools()).tools.map((tool) => tool.name);
      expect(first.length).toBeGreaterThanOrEqual(40);
      expect(second).toEqual(first);
    });

    it("reads the account", async () => {
      const result = await client.callTool({ name: "get_account", arguments: {} });
      expect(result.isError, contentText(result)).toBeFalsy();
      expect(dataOf(result)).toMatchObject({ username: CANARY.username });
    });

    it("sends one SMS, once", async () => {
      const before = sandbox.requests.filter((r) => r.path === "sms/send").length;
      const result = await client.callTool({
        name: "send_sms",
        arguments: { messages: [{ to: TEST_TO[0], body: `Hello from the ${era} era` }] },
      });
      expect(result.isError, contentText(result)).toBeFalsy();
      expect(dataOf(result)).toMatchObject({ queued_count: 1 });
      expect(sandbox.requests.filter((r) => r.path === "sms/send").length).toBe(before + 1);
    });

    it("answers a failed call with an error result that says what happened", async () => {
      const result = await client.callTool({
        name: "get_contact_list",
        arguments: { list_id: 987654 },
      });
      expect(result.isError).toBe(true);
      expect(contentText(result)).toMatch(/not found|does not exist/i);
    });

    it("stops a call the host cancels: the request to ClickSend is aborted", async () => {
      // The headers, then a byte an hour: the answer never ends by itself (and its timer stops
      // when the connection closes). The server's own timeout is 5 minutes.
      sandbox.faults.inject({
        method: "GET",
        path: "account",
        fault: { type: "trickle", intervalMs: 3_600_000 },
      });
      const before = sandbox.requests.length;
      const inFlight = () => sandbox.requests.slice(before).find((r) => r.path === "account");
      const abort = new AbortController();
      const call = client.callTool(
        { name: "get_account", arguments: {} },
        { signal: abort.signal },
      );
      await until("the call's request to reach the sandbox", () => inFlight() !== undefined);
      const record = inFlight() as RequestRecord;
      abort.abort("the user stopped it");
      await expect(call).rejects.toThrow();
      // Nothing else ends it: only the server hanging up sets closedEarly.
      await until(
        "the server to abort its request to ClickSend",
        () => record.closedEarly === true,
      );
      const next = await client.callTool({ name: "get_account", arguments: {} });
      expect(next.isError, contentText(next)).toBeFalsy();
    });
  });
});

/** The per-request _meta envelope of the 2026-07-28 revision, with an optional log level. */
const envelope = (logLevel?: string) => ({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
  ...(logLevel ? { "io.modelcontextprotocol/logLevel": logLevel } : {}),
});

type Raw = (
  method: string,
  params: Record<string, unknown>,
) => Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }>;

/** What every 2026-07-28 client may rely on, checked on the wire. */
function wireChecks(raw: () => Raw, logs: () => unknown[]) {
  it("answers server/discover with the revision, capabilities, cache fields and identity", async () => {
    const { result } = await raw()("server/discover", { _meta: envelope() });
    expect(result).toMatchObject({
      supportedVersions: ["2026-07-28"],
      capabilities: { tools: {}, resources: {} },
      resultType: "complete",
      ttlMs: 3_600_000,
      cacheScope: "private",
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "clicksend-mcp" } },
    });
    expect(result?.instructions).toMatch(/ClickSend/);
  });

  it("marks tools/list complete and cacheable for an hour", async () => {
    const { result } = await raw()("tools/list", { _meta: envelope() });
    expect(result).toMatchObject({
      resultType: "complete",
      ttlMs: 3_600_000,
      cacheScope: "private",
    });
    expect((result?.tools as unknown[] | undefined)?.length).toBeGreaterThan(20);
  });

  it("marks a tool result complete, with structuredContent", async () => {
    const { result } = await raw()("tools/call", {
      name: "get_account",
      arguments: {},
      _meta: envelope(),
    });
    expect(result).toMatchObject({
      resultType: "complete",
      structuredContent: { username: CANARY.username },
    });
  });

  it("sends log notifications only to a request that asks for them in _meta", async () => {
    const failing = { name: "get_contact_list", arguments: { list_id: 987654 } };
    const before = logs().length;
    const quiet = await raw()("tools/call", { ...failing, _meta: envelope() });
    expect(quiet.result?.isError).toBe(true);
    expect(logs().length).toBe(before);
    const asked = await raw()("tools/call", { ...failing, _meta: envelope("warning") });
    expect(asked.result?.isError).toBe(true);
    expect(logs().slice(before)).toContainEqual(
      expect.objectContaining({
        method: "notifications/message",
        params: expect.objectContaining({ level: "warning", logger: "clicksend-mcp" }),
      }),
    );
  });
}

const canaryEnv = (sandbox: Sandbox) => liveEnv(sandbox, { CLICKSEND_TOOLSETS: "all" });

describe("the 2026-07-28 wire format, raw JSON-RPC over stdio", () => {
  let sandbox: Sandbox;
  let server: StdioServer;
  beforeAll(async () => {
    sandbox = await startSandbox(CANARY);
    server = await startServer([], canaryEnv(sandbox));
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
  });

  wireChecks(
    () => (method, params) => server.request(method, params),
    () => server.notifications,
  );

  it("refuses a request without the envelope once the connection speaks 2026-07-28", async () => {
    const { error } = await server.request("tools/call", { name: "get_account", arguments: {} });
    expect(error).toMatchObject({ code: -32602, message: expect.stringMatching(/_meta envelope/) });
  });
});

describe("the 2026-07-28 wire format, raw JSON-RPC over Streamable HTTP", () => {
  let sandbox: Sandbox;
  let server: HttpServer;
  const logs: unknown[] = [];
  let nextId = 1;

  /** One POST with the headers the revision requires; SSE answers are read event by event. */
  async function post(
    method: string,
    params: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const name = typeof params.name === "string" ? { "mcp-name": params.name } : {};
    const response = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": method,
        ...name,
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const text = await response.text();
    const messages = response.headers.get("content-type")?.includes("text/event-stream")
      ? text
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => JSON.parse(line.slice(6)))
      : [JSON.parse(text)];
    logs.push(...messages.filter((m) => m.method));
    return { status: response.status, ...messages.find((m) => m.id !== undefined) };
  }

  beforeAll(async () => {
    sandbox = await startSandbox(CANARY);
    server = await startHttpServer([], canaryEnv(sandbox), { live: true });
  });
  afterAll(async () => {
    await server?.stop();
    await sandbox?.close();
  });

  wireChecks(
    () => post,
    () => logs,
  );

  it("refuses a request whose Mcp-Method header disagrees with its body (400, -32020)", async () => {
    const answer = await post("tools/list", { _meta: envelope() }, { "mcp-method": "tools/call" });
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe(-32020);
  });

  it("refuses a tools/call without its Mcp-Name header", async () => {
    const answer = await post(
      "tools/call",
      { name: "get_account", arguments: {}, _meta: envelope() },
      { "mcp-name": "" },
    );
    expect(answer.status).toBe(400);
  });
});
