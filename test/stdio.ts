/**
 * An MCP client transport over a spawned process that keeps every byte the process writes, so
 * tests can assert on the raw stdout (JSON-RPC only) and stderr (logs), not just on parsed
 * messages.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Send state of spawned servers: this test run's own, never the developer's. */
const STATE_HOME = mkdtempSync(join(tmpdir(), "clicksend-mcp-state-"));

/**
 * A minimal environment: nothing from the developer's shell (no real CLICKSEND_* values), and
 * a state directory of this test run's own.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", XDG_STATE_HOME: STATE_HOME, ...extra };
}

export class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  exitCode: number | null = null;
  private child?: ChildProcessWithoutNullStreams;
  private readonly buffer = new ReadBuffer();
  private exited?: Promise<void>;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
  ) {}

  /** Everything the process wrote to stdout so far. */
  get stdout(): string {
    return Buffer.concat(this.out).toString("utf8");
  }

  /** Everything the process wrote to stderr so far. */
  get stderr(): string {
    return Buffer.concat(this.err).toString("utf8");
  }

  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { env: this.env, stdio: "pipe" });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.on("exit", (code) => {
        this.exitCode = code;
        resolve();
      });
    });
    child.on("error", (error) => this.onerror?.(error));
    child.on("close", () => this.onclose?.());
    child.stderr.on("data", (chunk: Buffer) => {
      this.err.push(chunk);
    });
    child.stdout.on("data", (chunk: Buffer) => {
      this.out.push(chunk);
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.child;
    if (!child) throw new Error("transport not started");
    await new Promise<void>((resolve, reject) =>
      child.stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Ends stdin (the server shuts down on EOF) and waits for the process to exit. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
