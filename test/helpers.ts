import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/server.js";
import {
  bindClient,
  type ClickSendClient,
  type ClientOptions,
  createClickSendClient,
} from "../src/client.js";
import type { ToolDefinition } from "../src/define-tool.js";
import { silentLogger } from "../src/logger.js";
import {
  createSendingPolicy,
  type SendingConfig,
  type SendingPolicy,
} from "../src/sending/policy.js";
import { callTool, SANDBOX_NOTICE } from "../src/server.js";
import type { SendStore } from "../src/state/store.js";

export interface Harness {
  sandbox: Sandbox;
  sending: SendingPolicy;
  client: ClickSendClient;
  /** Runs a tool exactly as the server does (validation, rendering, error formatting). */
  call: ToolCaller;
  /** A caller through a client of its own, the harness's client options overridden. */
  callWith(overrides: Partial<ClientOptions>): ToolCaller;
  close(): Promise<void>;
}

export type ToolCaller = (tool: ToolDefinition, args?: unknown) => Promise<CallToolResult>;

/** A sandbox plus a real ky client pointed at it, with fast retries for tests. */
export async function harness(
  options: SandboxOptions & { sending?: Partial<SendingConfig>; store?: SendStore } = {},
): Promise<Harness> {
  const { sending: sendingConfig, store, ...sandboxOptions } = options;
  const sandbox = await startSandbox(sandboxOptions);
  // Tests send the same text repeatedly, so the duplicate window is off unless a test sets it.
  const sending = createSendingPolicy({ duplicateWindowS: 0, ...sendingConfig }, store);
  const clientFor = (overrides: Partial<ClientOptions> = {}) =>
    createClickSendClient({
      baseUrl: sandbox.baseUrl,
      auth: { kind: "basic", ...sandbox.credentials },
      timeoutMs: 2000,
      retry: { baseDelayMs: 1, maxRetryAfterMs: 2000 },
      ...overrides,
    });
  const callerFor =
    (client: ClickSendClient): ToolCaller =>
    (tool, args = {}) =>
      callTool(tool, args, {
        client: bindClient(client, new AbortController().signal),
        signal: new AbortController().signal,
        sandbox: true,
        logger: silentLogger,
        sending,
      });
  const client = clientFor();
  return {
    sandbox,
    sending,
    client,
    call: callerFor(client),
    callWith: (overrides) => callerFor(clientFor(overrides)),
    close: () => sandbox.close(),
  };
}

/** The text the model sees, without the sandbox notice line. */
export function textOf(result: CallToolResult): string {
  const text = (result.content as Array<{ type: string; text?: string }>)
    .map((c) => c.text ?? "")
    .join("\n");
  return text.startsWith(SANDBOX_NOTICE) ? text.slice(SANDBOX_NOTICE.length + 1) : text;
}

/** The structured result as a plain object. */
export function dataOf<T = Record<string, unknown>>(result: CallToolResult): T {
  return result.structuredContent as T;
}

/** Requests the sandbox received, excluding GETs when only writes matter. */
export function writes(sandbox: Sandbox) {
  return sandbox.requests.filter((r) => r.method !== "GET");
}
