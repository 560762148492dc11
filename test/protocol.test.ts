/**
 * Protocol robustness over stdio: the built server, spawned as a host spawns it, fed garbage
 * lines, invalid JSON-RPC, unknown methods, a 5 MB line, lines over the 10 MiB limit, deep
 * nesting, 50 concurrent calls and a cancelled in-flight call. It stays up, answers correctly afterwards, and writes nothing but
 * JSON-RPC on stdout. Once with --sandbox, once against a sandbox in this process with the
 * canary credential (so faults can be injected and requests seen), which must never leak.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord, Sandbox } from "../sandbox/server.js";
import { CANARY, canaryLeaks, canaryServer, outputsOf } from "./support/canary.js";
import { holdClock, releaseClock } from "./support/deadline.js";
import { contentText as text } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { TEST_TO } from "./support/tool-args.js";
import { sleep, until } from "./support/wait.js";

/** The text of the i-th faulted send: what an echoing error must not show. */
const faultedBody = (i: number) => `Faulted send number ${i}, private text`;

const nestedArrays = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** Lines that are not JSON-RPC requests the server could answer. */
const GARBAGE: Array<string | Buffer> = [
  "hello\n",
  "{\n",
  "}\n",
  "[]\n",
  "null\n",
  "42\n",
  '"a string"\n',
  "\n",
  "   \t \n",
  "\r\n",
  "\u0000\u0001\u0002\u001b[2J\n",
  Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]),
  '{"jsonrpc":"2.0","id":"r1","result":{}}\n',
  '{"jsonrpc":"2.0","id":"r2","error":{"code":1,"message":"x"}}\n',
  '{"jsonrpc":"2.0","method":"notifications/unknown","params":{"x":1}}\n',
  '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"nothing"}}\n',
];

/** Not valid JSON-RPC requests: answered with an error or dropped, never crashing the server. */
const INVALID: string[] = [
  '{"jsonrpc":"1.0","id":"i1","method":"ping"}',
  '{"id":"i2","method":"ping"}',
  '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
  '{"jsonrpc":"2.0","id":null,"method":"ping"}',
  '{"jsonrpc":"2.0","id":"i5","method":"tools/call","params":"x"}',
  '{"jsonrpc":"2.0","id":"i6","method":"ping","params":[]}',
  '[{"jsonrpc":"2.0","id":"i7","method":"ping"}]',
  '{"jsonrpc":"2.0","id":"i8","method":42}',
];

/** Valid JSON-RPC with wrong params: each must get a JSON-RPC error response. */
const WRONG_PARAMS: Array<[string, Record<string, unknown>]> = [
  ["tools/call", { arguments: {} }],
  ["tools/call", { name: "get_account", arguments: "{}" }],
  ["tools/call", { name: "get_account", arguments: [] }],
  ["tools/call", { name: 42 }],
  ["initialize", {}],
  ["logging/setLevel", { level: "loud" }],
];

interface Target {
  rpc: StdioServer;
  sandbox?: Sandbox;
}

/** The checks both servers go through, in order, on one connection. */
function robustness(target: () => Target) {
  const ping = async () => {
    const response = await target().rpc.request("ping");
    expect(response.result).toEqual({});
  };

  it("ignores garbage lines and keeps answering", async () => {
    const { rpc } = target();
    const before = rpc.responses.size;
    for (const line of GARBAGE) await rpc.write(line);
    await ping();
    // Nothing in the garbage was a request, so only the ping was answered.
    expect(rpc.responses.size).toBe(before + 1);
    expect(rpc.exitCode).toBeNull();
  });

  it("answers or drops invalid JSON-RPC, and answers wrong params with an error", async () => {
    const { rpc } = target();
    for (const line of INVALID) await rpc.write(`${line}\n`);
    for (const [method, params] of WRONG_PARAMS) {
      const response = await rpc.request(method, params);
      expect(response.error?.code, `${method} ${JSON.stringify(params)}`).toBeTypeOf("number");
      expect(response.result).toBeUndefined();
    }
    await ping();
    // Whatever the SDK made of the invalid ones, none got a result.
    for (const id of ["i1", "i2", "i5", "i6", "i7", "i8"]) {
      expect(rpc.responses.get(id)?.result).toBeUndefined();
    }
  });

  it("answers unknown methods and tools with JSON-RPC errors", async () => {
    const { rpc } = target();
    for (const method of ["foo/bar", "tools/unknown", "prompts/list", "prompts/get", ""]) {
      const response = await rpc.request(method, {});
      expect(response.error?.code, method).toBe(-32601);
    }
    const unknownTool = await rpc.request("tools/call", { name: "no_such_tool", arguments: {} });
    expect(unknownTool.error).toMatchObject({ code: -32602 });
    expect(unknownTool.error?.message).toContain("Unknown tool: no_such_tool");
    await ping();
  });

  it("survives a 5 MB line and deep nesting", async () => {
    const { rpc } = target();
    const huge = "x".repeat(5 * 1024 * 1024);
    const refused = await rpc.call("list_countries", { q: huge }, { timeoutMs: 30_000 });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("Invalid arguments for list_countries: q:");
    // The refusal does not echo the 5 MB back.
    expect(JSON.stringify(refused).length).toBeLessThan(2000);
    await rpc.write(`${huge}\n`);
    await rpc.write(`{"jsonrpc":"2.0","id":"huge","method":"ping","params":{"x":"${huge}"}}\n`);
    expect((await rpc.waitFor("huge", 30_000)).result).toEqual({});

    const deep = await rpc.call("get_account", { a: JSON.parse(nestedArrays(2000)) });
    expect(text(deep)).toContain("unknown field a");
    // Nesting beyond what the SDK parses is dropped, not fatal.
    await rpc.write(
      `{"jsonrpc":"2.0","id":"deeper","method":"tools/call","params":{"name":"get_account","arguments":{"a":${nestedArrays(200_000)}}}}\n`,
    );
    await ping();
    expect(rpc.exitCode).toBeNull();
  });

  it("answers a line over the 10 MiB limit with an error, drops one without an id, and goes on", async () => {
    const { rpc } = target();
    const over = "x".repeat(10 * 1024 * 1024);
    // The id first (most clients) and last (the TypeScript SDK's order).
    await rpc.write(`{"jsonrpc":"2.0","id":"over-1","method":"ping","params":{"x":"${over}"}}\n`);
    await rpc.write(`{"method":"ping","params":{"x":"${over}"},"jsonrpc":"2.0","id":"over-2"}\n`);
    for (const id of ["over-1", "over-2"]) {
      const answer = await rpc.waitFor(id, 30_000);
      expect(answer.error?.code, id).toBe(-32600);
      expect(answer.error?.message).toMatch(
        /^Request too large: 10,485,8\d\d bytes \(the limit is 10,485,760\)\.$/,
      );
    }
    const before = rpc.responses.size;
    await rpc.write(`${over}x\n`);
    await ping();
    expect(rpc.responses.size).toBe(before + 1);
    // stderr is another pipe: its lines may come after the answers.
    await expect
      .poll(
        () =>
          rpc.stderr.match(
            /dropped a message of [\d,]+ bytes \(the limit is 10,485,760\) on stdin/g,
          )?.length,
      )
      .toBe(3);
    expect(rpc.exitCode).toBeNull();
  });

  it("answers 50 concurrent tool calls on one connection, each with its own result", async () => {
    const { rpc } = target();
    const queries = ["au", "new", "united", "land", "ia"];
    const expected = new Map<string, unknown>();
    for (const q of queries) {
      expected.set(q, (await rpc.call("list_countries", { q })).structuredContent);
    }
    const calls = Array.from({ length: 50 }, async (_, i) => {
      if (i % 3 === 0) {
        const q = queries[i % queries.length] as string;
        const result = await rpc.call("list_countries", { q });
        expect(result.structuredContent, q).toEqual(expected.get(q));
      } else if (i % 3 === 1) {
        const to = TEST_TO[i % TEST_TO.length];
        const result = await rpc.call("send_sms", {
          messages: [{ to, body: `Concurrent ${i}`, custom_string: `concurrent-${i}` }],
        });
        expect(result.isError, text(result)).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ queued_count: 1, tag: `concurrent-${i}` });
        expect((result.structuredContent as Record<string, unknown>)?.queued).toMatchObject([
          { to },
        ]);
      } else {
        const result = await rpc.call("get_account", {});
        expect(result.isError, text(result)).toBeFalsy();
        expect(result.structuredContent).toHaveProperty("username");
      }
    });
    await Promise.all(calls);
  });
}

describe("the server in --sandbox mode", () => {
  let rpc: StdioServer;
  beforeAll(async () => {
    rpc = await startServer(["--sandbox"], { CLICKSEND_DUPLICATE_WINDOW_S: "0" });
    await rpc.initialize();
  });
  afterAll(() => rpc?.close());

  robustness(() => ({ rpc }));

  it("writes only JSON-RPC on stdout throughout and exits cleanly on EOF", async () => {
    expect(await rpc.end()).toBe(0);
    expect(rpc.nonJsonRpcLines()).toEqual([]);
    expect(rpc.lines.length).toBeGreaterThan(60);
  });
});

describe("the server against a sandbox in this process, with a canary credential", () => {
  let rpc: StdioServer;
  let sandbox: Sandbox;
  beforeAll(async () => {
    // The client's own timeout (the longest there is) must not be what ends the cancelled call
    // below, however long the machine takes to get there.
    ({ server: rpc, sandbox } = await canaryServer({ CLICKSEND_TIMEOUT_MS: "300000" }));
  });
  afterAll(async () => {
    await rpc?.close();
    await sandbox?.close();
  });

  robustness(() => ({ rpc, sandbox }));

  it("cancels an in-flight call: the HTTP request is aborted and no result is sent", async () => {
    // On the held clock the sandbox's delay never ends: only the server can end the request.
    sandbox.faults.inject({ method: "GET", path: "account", fault: { type: "delay", ms: 1 } });
    const id = rpc.newId();
    const before = sandbox.requests.length;
    const inFlight = () => sandbox.requests.slice(before).find((r) => r.path === "account");
    holdClock();
    await rpc.write(
      `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "get_account", arguments: {} } })}\n`,
    );
    await until("the call's request to reach the sandbox", () => inFlight() !== undefined);
    releaseClock();
    const record = inFlight() as RequestRecord;
    expect(record.fault).toBe("delay");
    await sleep(200);
    expect(record.closedEarly).toBeUndefined();
    await rpc.notify("notifications/cancelled", { requestId: id, reason: "user stopped it" });
    // Nothing else ends it: the sandbox never answers, the server's timeout is 5 minutes.
    await until("the server to abort its request", () => record.closedEarly === true);
    // The connection is fine and the next call works; the cancelled call got no result, before
    // it or since.
    const next = await rpc.call("get_account", {});
    expect(next.isError, text(next)).toBeFalsy();
    const response = rpc.responses.get(id);
    if (response) expect(response.error?.message ?? "").toMatch(/cancel/i);
    expect(response?.result).toBeUndefined();
  });

  it("reports injected faults as tool errors without leaking anything", async () => {
    const faults = [
      { path: "account", fault: { type: "status", status: 401 } },
      { path: "account", fault: { type: "status", status: 403 } },
      { path: "account", times: 3, fault: { type: "status", status: 500 } },
      { path: "account", times: 3, fault: { type: "html" } },
      { path: "account", times: 3, fault: { type: "drop" } },
      { path: "sms/send", fault: { type: "drop_after" } },
      { path: "sms/send", fault: { type: "status", status: 400 } },
      // Quoting the Authorization header and the request back: the last test looks for both.
      { path: "account", fault: { type: "echo" } },
      { path: "sms/send", fault: { type: "echo" } },
      {
        path: "account",
        fault: { type: "redirect", status: 302, location: "http://elsewhere.invalid/v3/account" },
      },
      { path: "account", fault: { type: "oversized", bytes: 64 * 1024 * 1024 } },
    ] as const;
    for (const [i, rule] of faults.entries()) {
      sandbox.faults.inject(rule);
      const result =
        rule.path === "account"
          ? await rpc.call("get_account", {})
          : await rpc.call("send_sms", { messages: [{ to: TEST_TO[0], body: faultedBody(i) }] });
      sandbox.faults.clear();
      expect(result.isError, `${JSON.stringify(rule)}: ${text(result)}`).toBe(true);
    }
    expect((await rpc.call("get_account", {})).isError).toBeFalsy();
  });

  it("never shows the canary key, user:key or its Base64; stdout is only JSON-RPC", async () => {
    expect(await rpc.end()).toBe(0);
    // The canary was really used, and debug logs really reached the client and stderr.
    expect(sandbox.requests.some((r) => r.user === CANARY.username)).toBe(true);
    const logs = rpc.notifications.filter((n) => n.method === "notifications/message");
    expect(JSON.stringify(logs)).toMatch(/GET \/account -> 200/);
    expect(rpc.stderr).toMatch(/debug: .*GET \/account -> 200/);
    expect(rpc.nonJsonRpcLines()).toEqual([]);
    expect(canaryLeaks(outputsOf(rpc))).toEqual([]);
    // The echoed send's text was really quoted back, and redacted wherever it went.
    const echoed = sandbox.requests.find((r) => r.fault === "echo" && r.path === "sms/send");
    const sent = echoed?.body as { messages: Array<{ body: string }> } | undefined;
    const text = String(sent?.messages[0]?.body);
    expect(text).toMatch(/^Faulted send number \d+/);
    expect(JSON.stringify(outputsOf(rpc))).not.toContain(text);
  });
});
