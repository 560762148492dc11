/**
 * The answers a start gives before the SDK loads (src/early-answers.ts) must be exactly the SDK's:
 * the built server's early `initialize` and `tools/list` answers are compared with those of the
 * SDK server built in this process from the same options, for each configuration and protocol
 * version; and what the early answers must not answer goes to the SDK unchanged.
 */
import {
  InMemoryTransport,
  type JSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { createClickSendClient } from "../src/client.js";
import { LEGACY_PROTOCOL_VERSIONS } from "../src/early-answers.js";
import { silentLogger } from "../src/logger.js";
import { createServer, type ServerOptions } from "../src/server.js";
import { defaultToolsets, instructions, tools } from "../tools/index.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { until } from "./support/wait.js";

const CREDENTIALS = { CLICKSEND_USERNAME: "early-user", CLICKSEND_API_KEY: "EARLY-NOT-A-KEY" };

const initialize = (protocolVersion: string, capabilities: Record<string, unknown> = {}) => ({
  protocolVersion,
  capabilities,
  clientInfo: { name: "early", version: "1.0.0" },
});

/** The SDK server's own answers to initialize and tools/list, in this process. */
async function sdkAnswers(options: ServerOptions, init: Record<string, unknown>) {
  const server = createServer({
    client: createClickSendClient({
      baseUrl: "http://127.0.0.1:9/v3",
      auth: { kind: "basic", username: "u", apiKey: "k" },
      timeoutMs: 1000,
    }),
    tools,
    instructions,
    options: { logger: silentLogger, ...options },
  });
  const [mine, theirs] = InMemoryTransport.createLinkedPair();
  const answers = new Map<unknown, unknown>();
  mine.onmessage = (message: JSONRPCMessage) => {
    if ("id" in message) answers.set(message.id, "result" in message ? message.result : message);
  };
  await server.connect(theirs);
  await mine.start();
  await mine.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: init });
  await mine.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  await mine.send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  await until("the SDK server's two answers", () => answers.size >= 2);
  await server.close();
  // As the wire carries them (the SDK keeps a symbol-keyed cache hint on the object).
  const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  return { initialize: wire(answers.get(1)), list: wire(answers.get(2)) };
}

let server: StdioServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The built server's answers, and whether it gave them before loading the SDK. */
async function builtAnswers(args: string[], init: Record<string, unknown>) {
  server = await startServer(args, { ...CREDENTIALS, CLICKSEND_LOG_LEVEL: "debug" });
  const first = await server.request("initialize", init);
  await server.notify("notifications/initialized");
  const list = await server.request("tools/list");
  // stderr is a pipe of its own: wait for the line serve() logs once loaded (where the send state
  // is), which the server writes after the line saying it answered early, if it did.
  const loaded = /debug: send state: /;
  await until("the server to load after its early answers", () =>
    loaded.test(server?.stderr ?? ""),
  );
  const early = /answered 2 request\(s\) before loading/.test(server.stderr);
  return { initialize: first.result ?? first.error, list: list.result ?? list.error, early };
}

describe("early answers", () => {
  it("know the same 2025 protocol versions as the SDK", () => {
    expect(LEGACY_PROTOCOL_VERSIONS).toEqual(
      SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version < "2026"),
    );
  });

  it.each([
    ["the default toolsets", [], { toolsets: defaultToolsets }],
    ["--read-only", ["--read-only"], { readOnly: true, toolsets: defaultToolsets }],
    ["--toolsets all", ["--toolsets", "all"], {}],
    [
      "--toolsets contacts,lists",
      ["--toolsets", "contacts,lists"],
      { toolsets: ["contacts", "lists"] },
    ],
    ["--sandbox", ["--sandbox"], { sandbox: true, toolsets: defaultToolsets }],
  ] as Array<[string, string[], ServerOptions]>)(
    "equal the SDK's for %s",
    async (_name, args, options) => {
      const init = initialize("2025-11-25");
      const built = await builtAnswers(args, init);
      expect(built.early, "answered before the SDK loaded").toBe(true);
      const sdk = await sdkAnswers(options, init);
      expect(built.initialize).toEqual(sdk.initialize);
      expect(built.list).toEqual(sdk.list);
    },
  );

  it.each(["2025-06-18", "2024-11-05"])("negotiate %s as the SDK does", async (version) => {
    const init = initialize(version);
    const built = await builtAnswers([], init);
    expect(built.early).toBe(true);
    expect(built.initialize).toEqual(
      (await sdkAnswers({ toolsets: defaultToolsets }, init)).initialize,
    );
  });

  it.each([
    ["an unknown protocol version", initialize("2099-01-01")],
    [
      "a host that renders MCP Apps",
      initialize("2025-11-25", { extensions: { "io.modelcontextprotocol/ui": {} } }),
    ],
  ])("leave %s to the SDK, which answers it", async (_name, init) => {
    const built = await builtAnswers([], init);
    expect(built.early).toBe(false);
    const sdk = await sdkAnswers({ toolsets: defaultToolsets }, init);
    expect(built.initialize).toEqual(sdk.initialize);
    expect(built.list).toEqual(sdk.list);
  });
});
