/**
 * A raw JSON-RPC client over a spawned server's stdio, for the protocol and soak tests: it can
 * write any bytes (garbage, oversized lines), correlates responses by id, keeps every stdout
 * line, notification and stderr byte, and reads the child's RSS.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  type CallToolResult,
  CallToolResultSchema,
  LATEST_PROTOCOL_VERSION,
} from "@modelcontextprotocol/sdk/types.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { ensureBuilt } from "./build.js";
import { cleanEnv } from "./stdio.js";

export interface RpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

interface Pending {
  resolve(message: RpcMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RpcProcess {
  readonly lines: string[] = [];
  readonly notifications: RpcMessage[] = [];
  /** Every response by id, including late ones nobody waits for any more. */
  readonly responses = new Map<unknown, RpcMessage>();
  exitCode: number | null = null;
  private readonly err: Buffer[] = [];
  private partial = "";
  private readonly pending = new Map<unknown, Pending>();
  private nextId = 1;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.exited = new Promise((resolve) => {
      child.on("exit", (code) => {
        this.exitCode = code;
        for (const [id, p] of this.pending) p.reject(new Error(`server exited before ${id}`));
        resolve();
      });
    });
    child.stderr.on("data", (chunk: Buffer) => this.err.push(chunk));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop() ?? "";
      for (const line of parts) this.onLine(line);
    });
  }

  static start(cli: string, args: string[], env: Record<string, string>): RpcProcess {
    return new RpcProcess(spawn(process.execPath, [cli, ...args], { env, stdio: "pipe" }));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stdout(): string {
    return this.lines.join("\n") + this.partial;
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString("utf8");
  }

  private onLine(line: string): void {
    this.lines.push(line);
    let message: RpcMessage;
    try {
      message = JSON.parse(line) as RpcMessage;
    } catch {
      return;
    }
    if (message.method !== undefined) {
      this.notifications.push(message);
      return;
    }
    if (message.id === undefined) return;
    this.responses.set(message.id, message);
    const waiting = this.pending.get(message.id);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.pending.delete(message.id);
      waiting.resolve(message);
    }
  }

  /** Writes raw text (or bytes) to stdin as it is. */
  write(raw: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.child.stdin.write(raw, (error) => (error ? reject(error) : resolve())),
    );
  }

  newId(): number {
    return this.nextId++;
  }

  /** Sends a request and resolves with its response (result or error); rejects on timeout. */
  async request(
    method: string,
    params?: Record<string, unknown>,
    opts: { id?: unknown; timeoutMs?: number } = {},
  ): Promise<RpcMessage> {
    const id = opts.id ?? this.newId();
    const response = this.waitFor(id, opts.timeoutMs ?? 15_000);
    await this.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    return response;
  }

  /** Resolves with the response to id once it arrives. */
  waitFor(id: unknown, timeoutMs: number): Promise<RpcMessage> {
    const arrived = this.responses.get(id);
    if (arrived) return Promise.resolve(arrived);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${JSON.stringify(id)} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    return this.write(`${JSON.stringify({ jsonrpc: "2.0", method, params })}\n`);
  }

  async initialize(): Promise<void> {
    const init = await this.request("initialize", {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "reliability", version: "1.0.0" },
    });
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    await this.notify("notifications/initialized");
  }

  /** Calls a tool; the result must be a valid CallToolResult, a JSON-RPC error throws. */
  async call(
    name: string,
    args: unknown,
    opts: { id?: unknown; timeoutMs?: number } = {},
  ): Promise<CallToolResult> {
    const response = await this.request("tools/call", { name, arguments: args }, opts);
    if (response.error) {
      throw new Error(`${name}: JSON-RPC error ${response.error.code} ${response.error.message}`);
    }
    return CallToolResultSchema.parse(response.result);
  }

  /** The child's resident set size in kB, from /proc. */
  rssKb(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!match) throw new Error("no VmRSS in /proc status");
    return Number(match[1]);
  }

  /** stdout lines that are not JSON-RPC 2.0 messages. */
  nonJsonRpcLines(): string[] {
    const bad: string[] = [];
    for (const line of [...this.lines, ...(this.partial ? [this.partial] : [])]) {
      try {
        if ((JSON.parse(line) as RpcMessage).jsonrpc === "2.0") continue;
      } catch {}
      bad.push(line.slice(0, 200));
    }
    return bad;
  }

  /** Ends stdin (the server shuts down on EOF) and waits for the exit code. */
  async close(): Promise<number | null> {
    if (this.exitCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exitCode;
  }
}

/** A canary credential: it must never appear in any output, in clear or as Basic auth. */
export const CANARY = { username: "canary-reliability", apiKey: "CANARY-KEY-7d3a9f0c" };
const PAIR = `${CANARY.username}:${CANARY.apiKey}`;
export const CANARY_FORMS = [
  CANARY.apiKey,
  CANARY.apiKey.toLowerCase(),
  PAIR,
  Buffer.from(PAIR).toString("base64"),
  Buffer.from(PAIR).toString("base64url"),
];

/** Where a canary form was found, as "form in place" strings; empty when clean. */
export function canaryLeaks(haystacks: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const form of CANARY_FORMS) if (text.includes(form)) leaks.push(`${form} in ${where}`);
  }
  return leaks;
}

/**
 * A sandbox in this process with the canary credentials, and the built server spawned against
 * it (not --sandbox), so tests can inject faults and see every request. Duplicate refusal is
 * off so repeated reads and sends behave the same; debug logs go to stderr.
 */
export async function canaryServer(env: Record<string, string> = {}): Promise<{
  sandbox: Sandbox;
  rpc: RpcProcess;
}> {
  const cli = await ensureBuilt();
  const sandbox = await startSandbox(CANARY);
  const rpc = RpcProcess.start(
    cli,
    [],
    cleanEnv({
      CLICKSEND_BASE_URL: sandbox.baseUrl,
      CLICKSEND_USERNAME: CANARY.username,
      CLICKSEND_API_KEY: CANARY.apiKey,
      CLICKSEND_LOG_LEVEL: "debug",
      CLICKSEND_DUPLICATE_WINDOW_S: "0",
      ...env,
    }),
  );
  await rpc.initialize();
  // Every log of every call also reaches the client as notifications/message.
  const level = await rpc.request("logging/setLevel", { level: "debug" });
  if (level.error) throw new Error(`logging/setLevel failed: ${level.error.message}`);
  return { sandbox, rpc };
}

/** Everything a spawned server showed: stdout, stderr, log notifications and tool results. */
export function outputsOf(rpc: RpcProcess): Record<string, string> {
  return {
    stdout: rpc.stdout,
    stderr: rpc.stderr,
    "log notifications": JSON.stringify(rpc.notifications),
    "tool results": JSON.stringify([...rpc.responses.values()]),
  };
}
