/**
 * Splitting stdin into JSON-RPC lines with a bound on one line, for the stdio transport and the
 * early answers a start gives before the SDK loads (early-answers.ts). No SDK import here: the
 * start must not load it.
 */
export type RequestId = string | number;

/** The SDK's own limit, so what passes here would pass there. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;
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
