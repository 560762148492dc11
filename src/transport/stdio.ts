/**
 * MCP over stdio with a bound on one line. The SDK's StdioServerTransport closes the connection
 * when its buffer passes 10 MiB, and the process then exits with nothing said. Here an over-long
 * line is skipped without being held: a request is answered with a JSON-RPC error, anything else
 * is dropped, each with one line on stderr, and serving goes on.
 */
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import {
  deserializeMessage,
  type JSONRPCMessage,
  type RequestId,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/server";
import type { Logger } from "../logger.js";
import { answeredEarly, type EarlyMethod, type Handover } from "../startup/early-answers.js";
import { type LineEvent, LineSplitter, MAX_LINE_BYTES } from "./lines.js";

export { idOfEdges, type LineEvent, LineSplitter } from "./lines.js";

const grouped = (n: number) => n.toLocaleString("en-US");

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly lines: LineSplitter;
  /** Requests the start answered before the SDK loaded: its own answers to them are not sent. */
  private readonly answered: Map<RequestId, EarlyMethod>;

  constructor(
    private readonly logger: Logger,
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
    private readonly maxLineBytes = MAX_LINE_BYTES,
    private readonly early?: Handover,
  ) {
    this.lines = early?.splitter ?? new LineSplitter(maxLineBytes);
    this.answered = early?.answered ?? new Map();
  }

  private readonly ondata = (chunk: Buffer) => {
    for (const event of this.lines.push(chunk)) this.handle(event);
  };

  private handle(event: LineEvent): void {
    if ("line" in event) this.receive(event.line);
    else this.refuse(event.oversized, event.id);
  }

  private readonly onstreamerror = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    // What arrived before the SDK loaded goes to it first, in order, then stdin itself.
    const pending = this.early?.takeOver() ?? [];
    this.stdin.on("data", this.ondata);
    this.stdin.on("error", this.onstreamerror);
    for (const event of pending) this.handle(event);
  }

  /** As the SDK does: a line that is not a JSON-RPC message goes to onerror, unanswered. */
  private receive(line: string): void {
    try {
      this.onmessage?.(deserializeMessage(line));
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  private refuse(bytes: number, id: RequestId | undefined): void {
    // Digits grouped: the logger would mask a long run of them as a phone number.
    const size = `${grouped(bytes)} bytes (the limit is ${grouped(this.maxLineBytes)})`;
    this.logger.warn(
      `dropped a message of ${size} on stdin${id === undefined ? "" : `; request ${JSON.stringify(id)} answered with an error`}`,
    );
    if (id === undefined) return;
    this.send({
      jsonrpc: "2.0",
      id,
      error: { code: -32600, message: `Request too large: ${size}.` },
    }).catch(() => {});
  }

  async close(): Promise<void> {
    this.stdin.off("data", this.ondata);
    this.stdin.off("error", this.onstreamerror);
    if (this.stdin.listenerCount("data") === 0) this.stdin.pause();
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!("method" in message) && answeredEarly(this.answered, message)) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.stdout.write(serializeMessage(message))) resolve();
      else this.stdout.once("drain", resolve);
    });
  }
}
