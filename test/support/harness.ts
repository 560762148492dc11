/**
 * The in-process harness: a sandbox, a real ky client pointed at it, and tools run exactly as the
 * server runs them (validation, rendering, error formatting), or a whole MCP server reached
 * through the SDK client over an in-memory transport.
 */

import type { CallToolResult } from "@modelcontextprotocol/client";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { ok } from "../../sandbox/envelope.js";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../sandbox/server.js";
import { TEST_ACCOUNT_KEY } from "../../sandbox/state.js";
import {
  bindClient,
  type ClickSendClient,
  type ClientOptions,
  createClickSendClient,
} from "../../src/client/client.js";
import { systemClock } from "../../src/clock.js";
import { silentLogger } from "../../src/logger.js";
import { callTool, createServer, type ServerOptions } from "../../src/protocol/server.js";
import {
  createSendingPolicy,
  type SendingConfig,
  type SendingPolicy,
} from "../../src/sending/policy.js";
import type { SendStore } from "../../src/state/store.js";
import type { ToolContext, ToolDefinition } from "../../src/tool/define-tool.js";
import { catalogue, tools } from "../../tools/index.js";
import { HANG_MS } from "./wait.js";

export type ToolCaller = (tool: ToolDefinition, args?: unknown) => Promise<CallToolResult>;

export interface Harness {
  sandbox: Sandbox;
  sending: SendingPolicy;
  client: ClickSendClient;
  /** Runs a tool exactly as the server does (validation, rendering, error formatting). */
  call: ToolCaller;
  /** A caller through a client of its own, the harness's client options overridden. */
  callWith(overrides: Partial<ClientOptions>): ToolCaller;
  /** Runs a tool as one of ClickSend's test accounts (nocredit, notactive, banned). */
  callAs(username: string, tool: ToolDefinition, args?: unknown): Promise<CallToolResult>;
  /** An MCP client of createServer over the registry, calling tools as `call` does. */
  connect(options?: ServerOptions): Promise<Client>;
  close(): Promise<void>;
}

/**
 * A client of the sandbox with its credentials and fast retries for tests. Its deadline only
 * turns a hang into a failure: a loaded machine must not time out a call that is merely slow
 * (tests of timeouts set their own, and fire it on cue: deadline.ts).
 */
export function testClient(
  sandbox: Sandbox,
  overrides: Partial<ClientOptions> = {},
): ClickSendClient {
  return createClickSendClient({
    baseUrl: sandbox.baseUrl,
    auth: { kind: "basic", ...sandbox.credentials },
    timeoutMs: HANG_MS,
    retry: { baseDelayMs: 1, maxRetryAfterMs: 2000 },
    ...overrides,
  });
}

/**
 * The context a tool call runs in, as the server builds it for each call: the one place tests do.
 * `own` replaces the call's signal (the client is bound to it), clock or progress reporter.
 */
export function contextFor(
  client: ClickSendClient,
  sending: SendingPolicy,
  own: Partial<Pick<ToolContext, "signal" | "clock" | "progress" | "askUser">> = {},
): ToolContext {
  const signal = own.signal ?? new AbortController().signal;
  return {
    client: bindClient(client, signal),
    signal,
    sandbox: true,
    logger: silentLogger,
    sending,
    clock: own.clock ?? systemClock,
    progress: own.progress ?? (() => {}),
    ...(own.askUser ? { askUser: own.askUser } : {}),
  };
}

/** The SDK client connected to a server in this process. */
export async function connectInProcess(server: ReturnType<typeof createServer>): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "in-process-test", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

/** A sandbox plus a real ky client pointed at it; sends go through `sending` and `store`. */
export async function harness(
  options: SandboxOptions & { sending?: Partial<SendingConfig>; store?: SendStore } = {},
): Promise<Harness> {
  const { sending: sendingConfig, store, ...sandboxOptions } = options;
  const sandbox = await startSandbox(sandboxOptions);
  // Tests send the same text repeatedly, so the duplicate window is off unless a test sets it.
  const sending = createSendingPolicy({ duplicateWindowS: 0, ...sendingConfig }, store);
  const callerFor =
    (client: ClickSendClient): ToolCaller =>
    (tool, args = {}) =>
      callTool(tool, args, contextFor(client, sending));
  const client = testClient(sandbox);
  return {
    sandbox,
    sending,
    client,
    call: callerFor(client),
    callWith: (overrides) => callerFor(testClient(sandbox, overrides)),
    callAs: (username, tool, args) =>
      callerFor(
        testClient(sandbox, { auth: { kind: "basic", username, apiKey: TEST_ACCOUNT_KEY } }),
      )(tool, args),
    connect: (serverOptions = {}) => {
      // The server builds each call's context itself, from the values contextFor puts in it.
      const ctx = contextFor(client, sending);
      return connectInProcess(
        createServer({
          client,
          tools,
          resources: catalogue.resources,
          options: {
            sandbox: ctx.sandbox,
            logger: ctx.logger,
            sending: ctx.sending,
            ...serverOptions,
          },
        }),
      );
    },
    close: () => sandbox.close(),
  };
}

/** The last request the sandbox received. */
export const lastRequest = (h: Harness) => h.sandbox.requests.at(-1);

/** Requests the sandbox received, excluding GETs when only writes matter. */
export const writes = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.method !== "GET");

/** The send requests (SMS, MMS, voice) the sandbox received. */
export const sendRequests = (sandbox: Sandbox) =>
  sandbox.requests.filter((r) => /^(sms|mms|voice)\/send$/.test(r.path));

/** The next request to `path` is answered 200 with `data` in ClickSend's envelope. */
export const answerWith = (h: Harness, path: string, data: unknown) =>
  h.sandbox.faults.inject({
    path,
    fault: { type: "status", status: 200, body: ok("Here are your data.", data).body },
  });

/** The main sandbox user's balance. */
export const balanceOf = (h: Harness) => h.sandbox.state.users[0]?.balance ?? Number.NaN;
