/**
 * The one way tests drive a server over stdio: a spawned process that keeps every byte it writes
 * (stdout, where nothing but JSON-RPC may appear, and stderr, where the logs go) and speaks
 * JSON-RPC either raw (any bytes, requests correlated by id: protocol, soak, listing, bench) or as
 * the transport of the SDK `Client`, as a host drives it. Plus one-shot runs of the built CLI.
 */
import {
  type ChildProcessWithoutNullStreams,
  type SpawnSyncReturns,
  spawn,
  spawnSync,
} from "node:child_process";
import { readFileSync } from "node:fs";
import { clearTimeout, setTimeout } from "node:timers";
import type { CallToolResult, JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import {
  Client,
  deserializeMessage,
  LATEST_PROTOCOL_VERSION,
  serializeMessage,
} from "@modelcontextprotocol/client";
import { CallToolResultSchema } from "@modelcontextprotocol/core";
import { cleanEnv, ensureBuilt } from "./build.js";
import { HANG_MS } from "./wait.js";

/** A JSON-RPC message as read off stdout, loosely typed. */
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

interface RequestOptions {
  id?: unknown;
  timeoutMs?: number;
}

/**
 * Resolves with the child's exit code once it exits; `stop` is how to ask, SIGKILL after HANG_MS
 * (a server slow to exit on a loaded machine still exits with its own code).
 */
export async function stopProcess(
  child: ChildProcessWithoutNullStreams,
  exited: Promise<unknown>,
  stop: () => void,
): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    stop();
    const timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    await exited;
    clearTimeout(timer);
  }
  return child.exitCode;
}

export class StdioServer implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Messages with a method: notifications (and any request) from the server. */
  readonly notifications: RpcMessage[] = [];
  /** Every response by id, including late ones nobody waits for any more. */
  readonly responses = new Map<unknown, RpcMessage>();
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  /** The start of a stdout line whose newline has not arrived yet. */
  private partial: Buffer[] = [];
  private readonly pending = new Map<unknown, Pending>();
  private nextId = 1;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.exited = new Promise((resolve) => {
      child.on("exit", () => {
        this.rejectPending(new Error("the server exited"));
        resolve();
      });
    });
    child.on("error", (error) => {
      this.rejectPending(error);
      this.onerror?.(error);
    });
    child.on("close", () => this.onclose?.());
    child.stderr.on("data", (chunk: Buffer) => this.err.push(chunk));
    child.stdout.on("data", (chunk: Buffer) => this.onStdout(chunk));
  }

  /** Spawns `command args` with exactly `env`. */
  static spawn(command: string, args: string[], env: Record<string, string>): StdioServer {
    return new StdioServer(
      spawn(command, args, {
        env,
        stdio: "pipe",
        // Node starts a .cmd (an npm bin on Windows) only through a shell.
        shell: process.platform === "win32" && /\.cmd$/i.test(command),
      }),
    );
  }

  /** The child itself, for tests that act as a host that misbehaves (closes a pipe, signals). */
  get process(): ChildProcessWithoutNullStreams {
    return this.child;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Everything the process wrote to stdout so far, byte for byte. */
  get stdout(): string {
    return Buffer.concat(this.out).toString("utf8");
  }

  /** Everything the process wrote to stderr so far. */
  get stderr(): string {
    return Buffer.concat(this.err).toString("utf8");
  }

  /** stdout's lines, the last one even if its newline has not come. */
  get lines(): string[] {
    const lines = this.stdout.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines;
  }

  /** stdout lines that are not JSON-RPC 2.0 messages, each cut to 200 characters. */
  nonJsonRpcLines(): string[] {
    return this.lines
      .filter((line) => {
        try {
          return (JSON.parse(line) as RpcMessage).jsonrpc !== "2.0";
        } catch {
          return true;
        }
      })
      .map((line) => line.slice(0, 200));
  }

  private onStdout(chunk: Buffer): void {
    this.out.push(chunk);
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      const line = Buffer.concat([...this.partial, chunk.subarray(start, end)]);
      this.partial = [];
      start = end + 1;
      this.onLine(line.toString("utf8").replace(/\r$/, ""));
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  private onLine(line: string): void {
    let message: RpcMessage;
    try {
      message = JSON.parse(line) as RpcMessage;
    } catch (error) {
      if (this.onmessage) this.onerror?.(error as Error);
      return;
    }
    if (message.method !== undefined) {
      this.notifications.push(message);
    } else if (message.id !== undefined) {
      this.responses.set(message.id, message);
      const waiting = this.pending.get(message.id);
      if (waiting) {
        clearTimeout(waiting.timer);
        this.pending.delete(message.id);
        waiting.resolve(message);
      }
    }
    if (!this.onmessage) return;
    let valid: JSONRPCMessage;
    try {
      valid = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error as Error);
      return;
    }
    this.onmessage(valid);
  }

  private rejectPending(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`no response to ${JSON.stringify(id)}: ${error.message}`));
    }
    this.pending.clear();
  }

  // Raw JSON-RPC ------------------------------------------------------------------------------

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
    opts: RequestOptions = {},
  ): Promise<RpcMessage> {
    const id = opts.id ?? this.newId();
    const response = this.waitFor(id, opts.timeoutMs ?? HANG_MS);
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

  /** initialize, then notifications/initialized; resolves with the initialize result. */
  async initialize(clientName = "clicksend-mcp-test"): Promise<Record<string, unknown>> {
    const init = await this.request("initialize", {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: clientName, version: "1.0.0" },
    });
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    await this.notify("notifications/initialized");
    return init.result;
  }

  /** Calls a tool; the result must be a valid CallToolResult, a JSON-RPC error throws. */
  async call(name: string, args: unknown, opts: RequestOptions = {}): Promise<CallToolResult> {
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

  // The SDK Client's transport -------------------------------------------------------------------

  /** The SDK client connected over this process, as a host connects. */
  async connect(clientName = "clicksend-mcp-test"): Promise<Client> {
    const client = new Client({ name: clientName, version: "1.0.0" });
    try {
      await client.connect(this);
    } catch (error) {
      throw new Error(`${String(error)}\nstderr:\n${this.stderr}`);
    }
    return client;
  }

  /** The process is already running: the SDK client's start has nothing left to do. */
  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    await this.write(serializeMessage(message));
  }

  /** Ends stdin (the server shuts down on EOF) and resolves with the exit code. */
  end(): Promise<number | null> {
    return stopProcess(this.child, this.exited, () => this.child.stdin.end());
  }

  /** As end(): how the SDK client (and afterAll) closes the connection. */
  async close(): Promise<void> {
    await this.end();
  }
}

/** The built server (`clicksend-mcp ...args`) with a clean environment plus `env`. */
export async function startServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<StdioServer> {
  return StdioServer.spawn(process.execPath, [await ensureBuilt(), ...args], cleanEnv(env));
}

/** One run of the built CLI with empty stdin: for flags that answer and exit. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = HANG_MS,
): Promise<SpawnSyncReturns<string>> {
  return spawnSync(process.execPath, [await ensureBuilt(), ...args], {
    env: cleanEnv(env),
    encoding: "utf8",
    input: "",
    timeout: timeoutMs,
  });
}
