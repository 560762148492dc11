/**
 * The answers a start gives before the SDK loads (src/startup/early-answers.ts) must be exactly the SDK's:
 * the built server's early `initialize` and `tools/list` answers are compared with those of the
 * SDK server built in this process from the same options, for each configuration and protocol
 * version; what the early answers must not answer goes to the SDK unchanged; and malformed
 * messages (issue 24) get, message for message, what the SDK alone would give them.
 */
import {
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/core";
import {
  InMemoryTransport,
  type JSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createClickSendClient } from "../src/client/client.js";
import { silentLogger } from "../src/logger.js";
import { createServer, type ServerOptions } from "../src/protocol/server.js";
import { LEGACY_PROTOCOL_VERSIONS } from "../src/startup/early-answers.js";
import {
  isInitializeParams,
  isListToolsParams,
  isWellFormedNotification,
  isWellFormedRequest,
} from "../src/startup/well-formed.js";
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

type Message = Record<string, unknown>;

/** The sentinel that ends an exchange: a tools/list, answered after any earlier one. */
const SENTINEL = { jsonrpc: "2.0", id: "sentinel", method: "tools/list" };
/** How many of `messages` the SDK answers: every message its schema takes for a request. */
const requestsIn = (messages: Message[]) =>
  messages.filter((message) => JSONRPCRequestSchema.safeParse(message).success).length;
/** As the wire carries it (the SDK keeps a symbol-keyed cache hint on a result). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
/** Responses in a stable order, to compare as a multiset (an answer given twice counts twice). */
const sorted = (responses: Array<{ id?: unknown; result?: unknown; error?: unknown }>) =>
  responses
    .map(({ id, result, error }) => JSON.stringify({ id, result, error }))
    .sort()
    .map((text) => JSON.parse(text) as unknown);

/** Every response the SDK server, in this process, gives to `messages`, as its stdio would. */
async function sdkExchange(messages: Message[]): Promise<unknown[]> {
  const server = createServer({
    client: createClickSendClient({
      baseUrl: "http://127.0.0.1:9/v3",
      auth: { kind: "basic", username: "u", apiKey: "k" },
      timeoutMs: 1000,
    }),
    tools,
    instructions,
    options: { logger: silentLogger, toolsets: defaultToolsets },
  });
  const [mine, theirs] = InMemoryTransport.createLinkedPair();
  const responses: JSONRPCMessage[] = [];
  mine.onmessage = (message: JSONRPCMessage) => {
    if (!("method" in message)) responses.push(message);
  };
  await server.connect(theirs);
  await mine.start();
  // The SDK's stdio transport passes on only what its message schema accepts (deserializeMessage).
  for (const message of messages) {
    if (JSONRPCMessageSchema.safeParse(message).success) await mine.send(message as JSONRPCMessage);
  }
  await until("the SDK's answers", () => responses.length >= requestsIn(messages));
  await mine.send(SENTINEL as JSONRPCMessage);
  await until("the sentinel's answer", () =>
    responses.some((r) => "id" in r && r.id === "sentinel"),
  );
  await server.close();
  return sorted(
    responses.filter((r) => !("id" in r && r.id === "sentinel")).map((r) => wire(r) as Message),
  );
}

/** Every response the built server gives to `messages`, sent in one write, and how many it gave early. */
async function builtExchange(messages: Message[]) {
  await server?.close();
  server = await startServer([], { ...CREDENTIALS, CLICKSEND_LOG_LEVEL: "debug" });
  const running = server;
  await running.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(""));
  const responses = () =>
    running.lines
      .map((line) => JSON.parse(line) as Message)
      .filter((message) => message.method === undefined);
  await until("the built server's answers", () => responses().length >= requestsIn(messages));
  await running.request("tools/list", undefined, { id: SENTINEL.id });
  const early = /answered (\d+) request\(s\) before loading/.exec(running.stderr);
  return {
    responses: sorted(responses().filter((r) => r.id !== SENTINEL.id)),
    early: Number(early?.[1] ?? 0),
  };
}

const GOOD_INIT = initialize("2025-11-25");
const request = (id: unknown, method: string, params?: unknown, extra: Message = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params === undefined ? {} : { params }),
  ...extra,
});
const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" };
/** An opening with initialize's params replaced, then tools/list. */
const opening = (init: unknown, extra: Message = {}): Message[] => [
  request(1, "initialize", init, extra),
  INITIALIZED,
  request(2, "tools/list"),
];
/** A good opening with tools/list replaced. */
const listing = (list: Message): Message[] => [
  request(1, "initialize", GOOD_INIT),
  INITIALIZED,
  list,
];
const without = (key: string) =>
  Object.fromEntries(Object.entries(GOOD_INIT).filter(([k]) => k !== key));

/** Each malformed exchange, and how many requests the early answers may answer in it. */
const MALFORMED: Array<[string, Message[], number]> = [
  ["initialize without clientInfo", opening(without("clientInfo")), 0],
  ["initialize without capabilities", opening(without("capabilities")), 0],
  ["initialize with capabilities a string", opening({ ...GOOD_INIT, capabilities: "all" }), 0],
  [
    "initialize with clientInfo.name a number",
    opening({ ...GOOD_INIT, clientInfo: { name: 5, version: "1" } }),
    0,
  ],
  [
    "initialize with clientInfo without version",
    opening({ ...GOOD_INIT, clientInfo: { name: "x" } }),
    0,
  ],
  [
    "initialize with protocolVersion a number",
    opening({ ...GOOD_INIT, protocolVersion: 20251125 }),
    0,
  ],
  [
    "initialize with roots.listChanged a string",
    opening({ ...GOOD_INIT, capabilities: { roots: { listChanged: "yes" } } }),
    0,
  ],
  [
    "initialize with a bad icon theme",
    opening({
      ...GOOD_INIT,
      clientInfo: { name: "x", version: "1", icons: [{ src: "a", theme: "blue" }] },
    }),
    0,
  ],
  ["initialize without params", opening(undefined), 0],
  ["initialize with params an array", opening([]), 0],
  ["initialize with a key JSON-RPC does not have", opening(GOOD_INIT, { extra: 1 }), 0],
  [
    "initialize with a fractional id",
    [request(1.5, "initialize", GOOD_INIT), INITIALIZED, request(2, "tools/list")],
    0,
  ],
  [
    "initialize with an id past 2^53",
    [request(2 ** 53, "initialize", GOOD_INIT), INITIALIZED, request(2, "tools/list")],
    0,
  ],
  [
    "initialize with a fractional progress token",
    opening({ ...GOOD_INIT, _meta: { progressToken: 0.5 } }),
    0,
  ],
  ["tools/list with cursor 5", listing(request(2, "tools/list", { cursor: 5 })), 1],
  ["tools/list with params null", listing(request(2, "tools/list", null)), 1],
  ["tools/list with params an array", listing(request(2, "tools/list", [])), 1],
  ["tools/list with _meta a number", listing(request(2, "tools/list", { _meta: 5 })), 1],
  [
    "tools/list with a key JSON-RPC does not have",
    listing(request(2, "tools/list", undefined, { extra: 1 })),
    1,
  ],
  ["tools/list reusing initialize's id", listing(request(1, "tools/list")), 1],
  [
    "notifications/initialized with an id",
    [request(1, "initialize", GOOD_INIT), { ...INITIALIZED, id: 7 }, request(2, "tools/list")],
    1,
  ],
  [
    "notifications/initialized with params a string",
    [
      request(1, "initialize", GOOD_INIT),
      { ...INITIALIZED, params: "x" },
      request(2, "tools/list"),
    ],
    1,
  ],
];

describe("early answers to malformed messages (issue 24)", () => {
  it.each(MALFORMED)("equal the SDK's for %s", async (_name, messages, earlyAtMost) => {
    const built = await builtExchange(messages);
    expect(built.early).toBeLessThanOrEqual(earlyAtMost);
    expect(built.responses).toEqual(await sdkExchange(messages));
  });

  it("a well-formed string cursor is still answered early, as the SDK answers it", async () => {
    const messages = listing(request(2, "tools/list", { cursor: "next" }));
    let built = await builtExchange(messages);
    // A start that stalls 100 ms on a loaded machine answers through the SDK: try again.
    for (let start = 2; built.early !== 2 && start <= 3; start++)
      built = await builtExchange(messages);
    expect(built.early).toBe(2);
    expect(built.responses).toEqual(await sdkExchange(messages));
  });
});

/** Mostly a value from the SDK's vocabulary, sometimes anything JSON, so each check is taken both ways. */
const either = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: fc.jsonValue(), weight: 1 });
const maybeOf = <T>(good: fc.Arbitrary<T>) => fc.option(either(good), { nil: undefined });
const object = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(shape, { requiredKeys: [] });
const meta = object({
  progressToken: either(fc.oneof(fc.string(), fc.integer())),
  "io.modelcontextprotocol/related-task": either(object({ taskId: fc.string() })),
});
const capabilities = object({
  experimental: either(fc.dictionary(fc.string(), fc.object())),
  sampling: either(object({ context: fc.object(), tools: fc.object() })),
  elicitation: either(
    object({ form: either(object({ applyDefaults: fc.boolean() })), url: fc.object() }),
  ),
  roots: either(object({ listChanged: fc.boolean() })),
  tasks: either(
    object({
      list: fc.object(),
      requests: either(object({ sampling: either(object({ createMessage: fc.object() })) })),
    }),
  ),
  extensions: either(fc.dictionary(fc.string(), fc.object())),
  somethingNew: fc.jsonValue(),
});
const clientInfo = object({
  name: either(fc.string()),
  title: either(fc.string()),
  version: either(fc.string()),
  icons: either(
    fc.array(
      object({
        src: either(fc.string()),
        theme: either(fc.constantFrom("light", "dark")),
        sizes: either(fc.array(fc.string())),
      }),
    ),
  ),
  websiteUrl: either(fc.string()),
});
const message = (method: string, params: fc.Arbitrary<unknown>) =>
  fc
    .record({
      jsonrpc: either(fc.constant("2.0")),
      id: maybeOf(fc.oneof(fc.integer(), fc.string(), fc.double())),
      method: fc.oneof(fc.constant(method), fc.jsonValue()),
      params: maybeOf(params),
      extra: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 10 },
        { arbitrary: fc.jsonValue(), weight: 1 },
      ),
    })
    // As it comes off the wire: absent, not undefined.
    .map((m) => JSON.parse(JSON.stringify(m)) as Message);

describe("the early answers' checks", () => {
  it("accept exactly what the SDK's schemas accept", () => {
    const initialize = message(
      "initialize",
      object({
        protocolVersion: either(fc.string()),
        capabilities: either(capabilities),
        clientInfo: either(clientInfo),
        _meta: either(meta),
      }),
    );
    const list = message(
      "tools/list",
      object({ cursor: either(fc.string()), _meta: either(meta) }),
    );
    fc.assert(
      fc.property(fc.oneof(initialize, list), (m) => {
        const request = isWellFormedRequest(m);
        expect(request, "a JSON-RPC request").toBe(JSONRPCRequestSchema.safeParse(m).success);
        expect(isWellFormedNotification(m), "a notification").toBe(
          JSONRPCNotificationSchema.safeParse(m).success,
        );
        if (request && m.method === "initialize") {
          expect(isInitializeParams(m.params), "initialize").toBe(
            InitializeRequestSchema.safeParse(m).success,
          );
        }
        if (request && m.method === "tools/list") {
          expect(isListToolsParams(m.params), "tools/list").toBe(
            ListToolsRequestSchema.safeParse(m).success,
          );
        }
      }),
      { numRuns: 3000 },
    );
  });
});
