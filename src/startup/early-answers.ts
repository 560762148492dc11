/**
 * A host that starts this server over stdio waits for two answers before it can show any tool:
 * `initialize` and `tools/list`. Both are known when the bundle is built, so a start gives them
 * from build-time data while the SDK, zod and the catalogue have not loaded yet (loading them is
 * most of a start), then hands everything it received, in order, to the SDK's transport. The SDK
 * handles those messages as if they had just arrived; its own answers to the two requests
 * answered here are dropped (stdio.ts). Anything else, or a client this cannot answer exactly as
 * the SDK would (a 2026-07-28 client, an unknown protocol version, a host that renders MCP Apps,
 * a message the SDK's schema would refuse (well-formed.ts), a request id already answered), ends
 * the early answers at once and waits for the SDK. test/early-answers.test.ts checks that the
 * answers equal the SDK's for the same messages, well-formed or not.
 */
import type { Readable, Writable } from "node:stream";
import { serverCapabilities, UI_EXTENSION } from "../protocol/selection.js";
import { type LineEvent, LineSplitter, type RequestId } from "../transport/lines.js";
import {
  isInitializeParams,
  isListToolsParams,
  isObject,
  isWellFormedNotification,
  isWellFormedRequest,
} from "./well-formed.js";

/** The 2025-era revisions the SDK accepts in `initialize`, newest first. */
export const LEGACY_PROTOCOL_VERSIONS = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];

/** What the answers are made of: the server's identity, instructions and selected tools. */
export interface EarlyPlan {
  serverInfo: { name: string; version: string };
  instructions: string | undefined;
  /** tools/list as the server lists it to a client that does not render MCP Apps. */
  tools: Array<{ name: string }>;
  /** Whether the server offers the send card (it then declares the UI extension). */
  sendCard: boolean;
  /** Whether the reply watcher runs (subscriptions and channels are then declared). */
  push?: boolean;
}

/** The requests answered early. */
export type EarlyMethod = "initialize" | "tools/list";

/** What the stdio transport takes over: the splitter (with any partial line) and the backlog. */
export interface Handover {
  splitter: LineSplitter;
  /** Requests answered early, by id: the SDK's answers to them are not sent again. */
  answered: Map<RequestId, EarlyMethod>;
  /** Stops reading stdin here and returns what arrived, in order, for the SDK. */
  takeOver(): LineEvent[];
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * Whether `message` is the SDK's own answer to a request answered early, which is then not sent
 * again. The kind of result is checked as well as the id: a later request may reuse the id (the
 * SDK answers that one, and its answer must go out).
 */
export function answeredEarly(
  answered: Map<RequestId, EarlyMethod>,
  message: { id?: unknown; result?: unknown },
): boolean {
  const method = answered.get(message.id as RequestId);
  if (method === undefined || !isObject(message.result)) return false;
  const matches =
    method === "initialize" ? "protocolVersion" in message.result : "tools" in message.result;
  if (matches) answered.delete(message.id as RequestId);
  return matches;
}

/** initialize's result, exactly as the SDK gives it, or undefined where this cannot know it. */
export function initializeResult(
  plan: EarlyPlan,
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!isInitializeParams(params)) return undefined;
  const version = params.protocolVersion as string;
  if (!LEGACY_PROTOCOL_VERSIONS.includes(version)) return undefined;
  const capabilities = params?.capabilities as { extensions?: Record<string, unknown> } | undefined;
  if (capabilities?.extensions?.[UI_EXTENSION] !== undefined) return undefined;
  return {
    protocolVersion: version,
    capabilities: serverCapabilities(plan.sendCard, plan.push ?? false),
    serverInfo: plan.serverInfo,
    ...(plan.instructions ? { instructions: plan.instructions } : {}),
  };
}

/**
 * Reads stdin and answers `initialize` then `tools/list` while the rest loads. `ready` resolves
 * when the SDK should load: once tools/list is answered, at the first message not answered here,
 * or after waitMs with nothing to answer.
 */
export function answerEarly(
  plan: EarlyPlan,
  stdin: Readable,
  stdout: Writable,
  waitMs = 100,
): { handover: Handover; ready: Promise<void> } {
  const splitter = new LineSplitter();
  const answered = new Map<RequestId, EarlyMethod>();
  const backlog: LineEvent[] = [];
  let phase: "opening" | "initialized" | "done" = "opening";
  let done: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    done = resolve;
  });
  const finish = () => {
    phase = "done";
    done();
  };
  // Nothing to answer for a while (a host that does not list tools at once): load the rest.
  let timer = setTimeout(finish, waitMs);

  const answer = (id: RequestId, method: EarlyMethod, result: unknown) => {
    answered.set(id, method);
    stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
  };

  const onEvent = (event: LineEvent) => {
    backlog.push(event);
    if (phase === "done") return;
    const message = "line" in event ? parse(event.line) : undefined;
    clearTimeout(timer);
    if (phase === "initialized" && isWellFormedNotification(message)) {
      if (message.method !== "notifications/initialized") return finish();
      timer = setTimeout(finish, waitMs);
      return;
    }
    // A reused id is the SDK's to answer: answered here too, it would be answered twice.
    if (!isWellFormedRequest(message) || answered.has(message.id)) return finish();
    const { id, method, params } = message;
    if (phase === "opening" && method === "initialize") {
      const result = initializeResult(plan, params);
      if (!result) return finish();
      answer(id, method, result);
      phase = "initialized";
      timer = setTimeout(finish, waitMs);
      return;
    }
    if (phase === "initialized" && method === "tools/list" && isListToolsParams(params)) {
      answer(id, method, { tools: plan.tools });
    }
    finish();
  };

  const ondata = (chunk: Buffer) => {
    for (const event of splitter.push(chunk)) onEvent(event);
  };
  // The host gone: load the rest; host-link.ts has the process exit.
  const onend = finish;
  stdin.on("data", ondata);
  stdin.once("end", onend);

  return {
    ready,
    handover: {
      splitter,
      answered,
      takeOver() {
        clearTimeout(timer);
        phase = "done";
        stdin.off("data", ondata);
        stdin.off("end", onend);
        return backlog.splice(0);
      },
    },
  };
}
