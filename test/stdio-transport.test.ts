/**
 * The stdio transport's line reading: lines split across chunks, and a line over the limit
 * skipped without being held, answered with a JSON-RPC error when it is a request with an id.
 */
import { PassThrough } from "node:stream";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import type { Logger } from "../src/logger.js";
import { idOfEdges, type LineEvent, LineSplitter, StdioTransport } from "../src/transport/stdio.js";

/** Feeds text to a splitter in chunks of `size` bytes; returns every event. */
function split(text: string, size: number, maxBytes = 100): LineEvent[] {
  const splitter = new LineSplitter(maxBytes);
  const bytes = Buffer.from(text);
  const events: LineEvent[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    events.push(...splitter.push(bytes.subarray(at, at + size)));
  }
  return events;
}

const pad = (n: number) => "x".repeat(n);

describe("LineSplitter", () => {
  it.each([1, 3, 7, 64, 1000])("splits lines however they are chunked (%i bytes)", (size) => {
    expect(split('{"a":1}\r\n\n{"b":"é"}\nrest', size)).toEqual([
      { line: '{"a":1}' },
      { line: "" },
      { line: '{"b":"é"}' },
    ]);
  });

  it.each([1, 5, 64, 1000])("skips a line over the limit and goes on (%i-byte chunks)", (size) => {
    const long = `{"jsonrpc":"2.0","id":"big","method":"ping","params":{"x":"${pad(300)}"}}`;
    expect(split(`${long}\n{"ok":1}\n`, size)).toEqual([
      { oversized: Buffer.byteLength(long), id: "big" },
      { line: '{"ok":1}' },
    ]);
  });

  it("keeps a line of exactly the limit", () => {
    expect(split(`${pad(100)}\n`, 7)).toEqual([{ line: pad(100) }]);
    expect(split(`${pad(101)}\n`, 7)).toEqual([{ oversized: 101, id: undefined }]);
  });
});

describe("the id of an over-long line", () => {
  const body = `"params":{"id":5,"x":"${pad(50)}"}`;
  it.each([
    [`{"jsonrpc":"2.0","id":"a\\"b",${body}}`, 'a"b'],
    [`{ "jsonrpc": "2.0", "method": "tools/call", "id": 17, ${body}}`, 17],
    [`{"method":"tools/call",${body},"jsonrpc":"2.0","id":-3}\r`, -3],
    [`{"method":"tools/call",${body},"id":"x"} `, "x"],
    // The only id is inside params, or there is none: no answer.
    [`{"jsonrpc":"2.0","method":"notifications/x",${body}}`, undefined],
    [`{"method":"x","params":{"a":"","id":5}}`, undefined],
    [`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, undefined],
    [pad(80), undefined],
  ])("%s -> %j", (line, id) => {
    expect(idOfEdges(line.slice(0, 60), line.slice(-60))).toEqual(id);
  });
});

describe("StdioTransport", () => {
  it("answers an over-long request with an error, logs one line, and keeps serving", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
    const transport = new StdioTransport(logger, stdin, stdout, 100);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.start();

    stdin.write(`{"jsonrpc":"2.0","id":9,"method":"ping","params":{"x":"${pad(200)}"}}\n`);
    stdin.write(`${pad(500)}\n`);
    stdin.write('{"jsonrpc":"2.0","id":10,"method":"ping"}\n');
    await new Promise((resolve) => setImmediate(resolve));

    const answer = JSON.parse(String(stdout.read()));
    expect(answer).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32600, message: expect.stringContaining("Request too large") },
    });
    expect(stdout.read()).toBeNull();
    expect(received).toEqual([{ jsonrpc: "2.0", id: 10, method: "ping" }]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^dropped a message of 2\d\d bytes \(the limit is 100\) on stdin; request 9 answered/,
    );
    expect(warnings[1]).toBe("dropped a message of 500 bytes (the limit is 100) on stdin");
    await transport.close();
  });
});
