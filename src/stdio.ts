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
import type { Logger } from "./logger.js";

/** The SDK's own limit, so what passes here would pass there. */
const MAX_LINE_BYTES = 10 * 1024 * 1024;
/** How much of the start and the end of an over-long line is kept, to find its id. */
const EDGE_BYTES = 4096;

export type LineEvent = { line: string } | { oversized: number; id: RequestId | undefined };

const ID_VALUE = String.raw`("(?:[^"\\]|\\.){0,200}"|-?\d{1,16})`;
/** {"jsonrpc":"2.0","id":… or {"jsonrpc":"2.0","method":"…","id":…: the order most clients write. */
const HEAD_ID = new RegExp(
  String.raw`^\s*\{\s*(?:"(?:jsonrpc|method)"\s*:\s*"(?:[^"\\]|\\.){0,200}"\s*,\s*)*"id"\s*:\s*${ID_VALUE}`,
);
/** …,"jsonrpc":"2.0","id":7}: the order of the TypeScript SDK, the id last. */
const TAIL_ID = new RegExp(String.raw`,\s*"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);

/** The top-level id of a JSON-RPC request seen only by its first and last bytes. */
export function idOfEdges(head: string, tail: string): RequestId | undefined {
  const found = HEAD_ID.exec(head)?.[1] ?? TAIL_ID.exec(tail)?.[1];
  if (found === undefined) return undefined;
  try {
    return JSON.parse(found) as RequestId;
  } catch {
    return undefined;
  }
}

function lastBytes(parts: Buffer[], n: number): Buffer {
  const kept: Buffer[] = [];
  let size = 0;
  for (let i = parts.length - 1; i >= 0 && size < n; i--) {
    const part = parts[i] as Buffer;
    kept.unshift(part);
    size += part.length;
  }
  const joined = Buffer.concat(kept);
  return joined.subarray(Math.max(0, joined.length - n));
}

/** Splits a byte stream into lines, holding at most maxBytes of one line. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set while an over-long line is skipped: its length so far, its first and last bytes. */
  private skipping: { bytes: number; head: Buffer; tail: Buffer } | undefined;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) return events;
      events.push(this.end());
      start = newline + 1;
    }
  }

  private take(segment: Buffer): void {
    if (segment.length === 0) return;
    if (this.skipping) {
      this.skipping.bytes += segment.length;
      this.skipping.tail = lastBytes([this.skipping.tail, segment], EDGE_BYTES);
    } else if (this.size + segment.length > this.maxBytes) {
      const parts = [...this.parts, segment];
      const bytes = this.size + segment.length;
      this.skipping = {
        bytes,
        head: Buffer.concat(parts, Math.min(EDGE_BYTES, bytes)),
        tail: lastBytes(parts, EDGE_BYTES),
      };
      this.parts = [];
      this.size = 0;
    } else {
      this.parts.push(segment);
      this.size += segment.length;
    }
  }

  private end(): LineEvent {
    const skipped = this.skipping;
    this.skipping = undefined;
    if (skipped) {
      return { oversized: skipped.bytes, id: idOfEdges(`${skipped.head}`, `${skipped.tail}`) };
    }
    const line = Buffer.concat(this.parts).toString("utf8").replace(/\r$/, "");
    this.parts = [];
    this.size = 0;
    return { line };
  }
}

const grouped = (n: number) => n.toLocaleString("en-US");

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly lines: LineSplitter;

  constructor(
    private readonly logger: Logger,
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.lines = new LineSplitter(maxLineBytes);
  }

  private readonly ondata = (chunk: Buffer) => {
    for (const event of this.lines.push(chunk)) {
      if ("line" in event) this.receive(event.line);
      else this.refuse(event.oversized, event.id);
    }
  };

  private readonly onstreamerror = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    this.stdin.on("data", this.ondata);
    this.stdin.on("error", this.onstreamerror);
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
    return new Promise((resolve) => {
      if (this.stdout.write(serializeMessage(message))) resolve();
      else this.stdout.once("drain", resolve);
    });
  }
}
