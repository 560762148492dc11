/**
 * The answers a start gives before the SDK loads (src/startup/early-answers.ts) must be exactly the SDK's:
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
import { createClickSendClient } from "../src/client/client.js";
import { silentLogger } from "../src/logger.js";
import { createServer, type ServerOptions } from "../src/protocol/server.js";
import { LEGACY_PROTOCOL_VERSIONS } from "../src/startup/early-answers.js";
import { defaultToolsets, instructions, tools } from "../tools/index.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { HANG_MS, until } from "./support/wait.js";

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

/**
 * One start of the built server: its answers, and whether it gave them before loading the SDK.
 * The three messages go in one write as soon as the process is spawned, so they wait in the pipe
 * and the server's answers do not depend on how fast this process reads and writes back.
 */
async function startAndAsk(args: string[], init: Record<string, unknown>) {
  await server?.close();
  server = await startServer(args, { ...CREDENTIALS, CLICKSEND_LOG_LEVEL: "debug" });
  await server.write(
    [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: init },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
    ]
      .map((message) => `${JSON.stringify(message)}\n`)
      .join(""),
  );
  const first = await server.waitFor(1, HANG_MS);
  const list = await server.waitFor(2, HANG_MS);
  // stderr is a pipe of its own: wait for the line serve() logs once loaded (where the send state
  // is), which the server writes after the line saying it answered early, if it did.
  const loaded = /debug: send state: /;
  await until("the server to load after its early answers", () =>
    loaded.test(server?.stderr ?? ""),
  );
  const early = /answered 2 request\(s\) before loading/.test(server.stderr);
  return { initialize: first.result ?? first.error, list: list.result ?? list.error, early };
}

/**
 * The built server's answers, and whether it gave them early. The early answers wait 100 ms for
 * a message before the server loads the SDK instead (src/early-answers.ts), so a start that
 * stalls that long on a loaded machine (about 1 in 100 there) answers through the SDK, as it
 * should. When early answers are `expected`, such a start is tried again, up to 3 starts: a
 * server that never answers early still fails.
 */
async function builtAnswers(args: string[], init: Record<string, unknown>, expected = true) {
  let built = await startAndAsk(args, init);
  for (let start = 2; expected && !built.early && start <= 3; start++) {
    const flags = args.join(" ") || "no flags";
    console.log(`early-answers: start ${start - 1} (${flags}) answered through the SDK; again`);
    built = await startAndAsk(args, init);
  }
  return built;
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
    const built = await builtAnswers([], init, false);
    expect(built.early).toBe(false);
    const sdk = await sdkAnswers({ toolsets: defaultToolsets }, init);
    expect(built.initialize).toEqual(sdk.initialize);
    expect(built.list).toEqual(sdk.list);
  });
});
