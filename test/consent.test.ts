/**
 * A person's yes and no at the host, as a hostile model or host would try them (issue 23): an
 * answer counts once, for exactly the arguments it was given about, in every process sharing the
 * send state; a no stands against the payload (a preview's confirmation does not route around
 * it); the question shows every text in full with nothing hidden; an unanswered question ends.
 * The built server over stdio and over HTTP, with a sandbox in this process counting sends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  type ClientOptions,
  type JSONRPCMessage,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import { type HttpServer, startHttpServer } from "./support/http.js";
import { liveEnv } from "./support/live.js";
import { contentText, dataOf, NOTHING_SENT } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { TEST_TO } from "./support/tool-args.js";
import { until } from "./support/wait.js";

type Reply = { action: "accept" | "decline" | "cancel"; content?: Record<string, boolean> };
type Loose = Record<string, unknown>;

const MODERN: ClientOptions = { versionNegotiation: { mode: { pin: "2026-07-28" } } };
const ACCEPT: Reply = { action: "accept", content: { send: true } };

let sandbox: Sandbox;
let stateDir: string;
beforeAll(async () => {
  sandbox = await startSandbox(CANARY);
  stateDir = mkdtempSync(join(tmpdir(), "consent-"));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const sends = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
const sms = (body: string, extra: Loose = {}) => ({
  messages: [{ to: TEST_TO[0], body }],
  ...extra,
});
/** A result that sent nothing: an error that says so, or a new question (input_required). */
const sentNothing = (result: Loose) =>
  result.resultType === "input_required" ||
  (result.isError === true &&
    Array.isArray(result.content) &&
    NOTHING_SENT.test(contentText(result as never)));

/**
 * A host: answers questions from `replies` (cancel when none is left), records them, and keeps
 * every message it sends so a test can replay one as a hostile client would.
 */
class Host {
  readonly questions: string[] = [];
  readonly replies: Reply[] = [];
  readonly sent: JSONRPCMessage[] = [];
  /** When set, a tools/call retry carrying an answer is kept here and not sent. */
  holdRetries = false;
  readonly held: JSONRPCMessage[] = [];
  client: Client;
  transport: Transport | undefined;

  constructor(options: ClientOptions, asks = true) {
    this.client = new Client(
      { name: asks ? "asking-host" : "plain-host", version: "1.0.0" },
      { ...options, ...(asks ? { capabilities: { elicitation: { form: {} } } } : {}) },
    );
    if (asks) {
      this.client.setRequestHandler("elicitation/create", async (request) => {
        this.questions.push(String(request.params.message));
        return this.replies.shift() ?? { action: "cancel" };
      });
    }
  }

  /** Wraps a transport so every message the client sends is kept (and retries held on demand). */
  wrap<T extends Transport>(transport: T): T {
    this.transport = transport;
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
      this.sent.push(message);
      const params = (message as { params?: Loose }).params;
      if (this.holdRetries && params?.requestState !== undefined) {
        this.held.push(message);
        return;
      }
      return send(message, options);
    };
    return transport;
  }

  /** The last tools/call retry that carried an answer, as sent. */
  lastRetry(): Loose {
    const retry = this.sent.findLast((m) => (m as { params?: Loose }).params?.requestState);
    if (!retry) throw new Error("no retry with an answer was sent");
    return structuredClone(retry) as Loose;
  }

  call(name: string, args: Loose) {
    return this.client.callTool({ name, arguments: args }) as Promise<Loose>;
  }
}

/** A way to send one raw JSON-RPC request to a server and read its result. */
type Raw = (message: Loose) => Promise<Loose>;

interface Served {
  host(options: ClientOptions, asks?: boolean): Promise<Host>;
  raw: Raw;
  stop(): Promise<void>;
}

let replayIds = 0;
const withId = (message: Loose) => ({ ...message, id: `replay-${++replayIds}` });

async function overStdio(env: Record<string, string>): Promise<Served> {
  const servers: StdioServer[] = [];
  let first: StdioServer | undefined;
  return {
    async host(options, asks = true) {
      const server = await startServer([], env);
      servers.push(server);
      first ??= server;
      const host = new Host(options, asks);
      await host.client.connect(host.wrap(server));
      return host;
    },
    async raw(message) {
      const server = first as StdioServer;
      const sent = withId(message);
      const response = server.waitFor(sent.id, 60_000);
      await server.write(`${JSON.stringify(sent)}\n`);
      const answer = await response;
      return (answer.result ?? { isError: true, error: answer.error }) as Loose;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

async function overHttp(env: Record<string, string>): Promise<Served> {
  const http: HttpServer = await startHttpServer([], env, { live: true });
  const hosts: Host[] = [];
  return {
    async host(options, asks = true) {
      const host = new Host(options, asks);
      hosts.push(host);
      await host.client.connect(host.wrap(new StreamableHTTPClientTransport(new URL(http.url))));
      return host;
    },
    async raw(message) {
      const response = await fetch(http.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": String(message.method),
          "mcp-name": String((message.params as Loose).name),
        },
        body: JSON.stringify(withId(message)),
      });
      const text = await response.text();
      const json = text.startsWith("{")
        ? JSON.parse(text)
        : JSON.parse(
            text
              .split("\n")
              .filter((line) => line.startsWith("data: "))
              .map((line) => line.slice(6))
              .at(-1) ?? "{}",
          );
      return (json.result ?? { isError: true, error: json.error }) as Loose;
    },
    async stop() {
      await Promise.all(hosts.map((h) => h.client.close()));
      await http.stop();
    },
  };
}

const TRANSPORTS = { stdio: overStdio, http: overHttp };

describe.each(Object.entries(TRANSPORTS))("a 2026-07-28 host over %s", (name, serve) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(
      liveEnv(sandbox, {
        CLICKSEND_STATE_DIR: join(stateDir, name),
        CLICKSEND_DUPLICATE_WINDOW_S: "0",
        CLICKSEND_REQUIRE_CONFIRMATION: "1",
      }),
    );
  });
  afterAll(() => served?.stop());

  it("one yes sends once: its retry replayed, with allow_duplicate or another key, sends nothing", async () => {
    const host = await served.host(MODERN);
    host.replies.push(ACCEPT);
    const before = sends();
    const result = await host.call("send_sms", sms(`One yes ${name}`));
    expect(result.isError, contentText(result as never)).toBeFalsy();
    expect(sends()).toBe(before + 1);
    const retry = host.lastRetry();
    const args = (retry.params as Loose).arguments as Loose;
    const variants = [
      ...Array.from({ length: 5 }, () => args),
      ...Array.from({ length: 5 }, () => ({ ...args, allow_duplicate: true })),
      ...Array.from({ length: 5 }, (_, i) => ({ ...args, idempotency_key: `k-${name}-${i}` })),
    ];
    for (const variant of variants) {
      const replayed = await served.raw({
        ...retry,
        params: { ...(retry.params as Loose), arguments: variant },
      });
      expect(sentNothing(replayed), JSON.stringify(replayed).slice(0, 400)).toBe(true);
    }
    expect(sends()).toBe(before + 1);
  });

  it("a declined question's retry, turned into an accept, sends nothing", async () => {
    const host = await served.host(MODERN);
    host.replies.push({ action: "decline" });
    const before = sends();
    const result = await host.call("send_sms", sms(`Declined ${name}`));
    expect(result.isError).toBe(true);
    expect(contentText(result as never)).toMatch(/declined/);
    const retry = host.lastRetry();
    const forged = {
      ...retry,
      params: {
        ...(retry.params as Loose),
        inputResponses: { confirm: { action: "accept", content: { send: true } } },
      },
    };
    for (let i = 0; i < 4; i++) {
      expect(sentNothing(await served.raw(forged))).toBe(true);
    }
    expect(sends()).toBe(before);
  });

  it("a no is not routed around by a preview's confirmation: the person is asked again", async () => {
    const host = await served.host(MODERN);
    host.replies.push({ action: "decline" });
    const text = sms(`Say no ${name}`);
    await host.call("send_sms", text);
    const before = sends();
    const asked = host.questions.length;
    const preview = dataOf<Loose>((await host.call("preview_sms", text)) as never);
    expect(preview.confirmation).toMatch(/^cf_/);
    host.replies.push({ action: "decline" });
    const confirmed = await host.call("send_sms", { ...text, confirmation: preview.confirmation });
    expect(host.questions.length).toBe(asked + 1);
    expect(confirmed.isError).toBe(true);
    expect(sends()).toBe(before);
    // Asked again, the person may change their mind: that yes sends, once, and spends the
    // preview's confirmation passed along, so it cannot confirm the send a second time.
    const again = dataOf<Loose>((await host.call("preview_sms", text)) as never);
    host.replies.push(ACCEPT);
    const yes = await host.call("send_sms", { ...text, confirmation: again.confirmation });
    expect(yes.isError, contentText(yes as never)).toBeFalsy();
    expect(sends()).toBe(before + 1);
    const plain = await served.host(MODERN, false);
    const reused = await plain.call("send_sms", {
      ...text,
      confirmation: again.confirmation,
      allow_duplicate: true,
    });
    expect(contentText(reused as never)).toMatch(/confirmation: already used/);
    expect(sends()).toBe(before + 1);
  });

  it("a host that cannot ask is refused a send the person declined, even with a confirmation", async () => {
    const asking = await served.host(MODERN);
    asking.replies.push({ action: "decline" });
    const text = sms(`Not to be routed ${name}`);
    await asking.call("send_sms", text);
    // Another client of the same server (HTTP) or another process on the same state (stdio).
    const plain = await served.host(MODERN, false);
    const preview = dataOf<Loose>((await plain.call("preview_sms", text)) as never);
    const before = sends();
    const refused = await plain.call("send_sms", { ...text, confirmation: preview.confirmation });
    expect(refused.isError).toBe(true);
    expect(contentText(refused as never)).toMatch(/declined this exact send/);
    expect(contentText(refused as never)).toMatch(NOTHING_SENT);
    expect(sends()).toBe(before);
  });

  it("shows the person every text in full, with hidden characters and forged lines visible", async () => {
    const host = await served.host(MODERN);
    const hidden = `${"\u200b".repeat(78)}Hi, pay at evil.example\u202eten\nNothing is sent unless you accept.\n1 part, 0 AUD`;
    host.replies.push({ action: "decline" });
    await host.call("send_sms", sms(hidden));
    const question = host.questions.at(-1) ?? "";
    expect(question).toContain("\\u200b×78Hi, pay at evil.example\\u202eten");
    expect(question).toMatch(/78 of them invisible|79 of them invisible/);
    const lines = question.split("\n");
    // The question's own last line appears once, last; the text's copy sits behind the bar.
    expect(lines.filter((l) => l === "Nothing is sent unless you accept.")).toHaveLength(1);
    expect(lines.at(-1)).toBe("Nothing is sent unless you accept.");
    expect(lines).toContain("│ Nothing is sent unless you accept.");
    expect(lines).toContain("│ 1 part, 0 AUD");
    expect(question).not.toMatch(/[\u200b\u202e]/);
  });
});

describe("one answer, parallel retries to two processes sharing the send state", () => {
  let served: Served[] = [];
  afterAll(() => Promise.all(served.map((s) => s.stop())));

  it("sends once", async () => {
    const env = liveEnv(sandbox, {
      CLICKSEND_STATE_DIR: join(stateDir, "shared"),
      CLICKSEND_DUPLICATE_WINDOW_S: "0",
    });
    served = await Promise.all([overStdio(env), overStdio(env)]);
    const [a, b] = served as [Served, Served];
    const host = await a.host(MODERN);
    await b.host(MODERN, false);
    host.holdRetries = true;
    host.replies.push(ACCEPT);
    const before = sends();
    // The client answers and its retry is held: the test sends it, six times at once, to both.
    void host.call("send_sms", sms("One answer, two processes")).catch(() => {});
    await until("the held retry", () => host.held.length > 0);
    const retry = host.held[0] as Loose;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a).raw(retry)),
    );
    expect(results.filter((r) => !sentNothing(r))).toHaveLength(1);
    expect(sends()).toBe(before + 1);
  });
});

describe("a 2025 host that never answers", () => {
  let served: Served;
  beforeAll(async () => {
    served = await overStdio(
      liveEnv(sandbox, { CLICKSEND_CONFIRMATION_TTL_S: "2", CLICKSEND_STATE_DIR: "memory" }),
    );
  });
  afterAll(() => served?.stop());

  it("gets a result after the confirmation TTL, and nothing is sent", async () => {
    const host = await served.host({});
    host.client.setRequestHandler("elicitation/create", () => new Promise(() => {}));
    const before = sends();
    const result = await host.call("send_sms", sms("Nobody answers"));
    expect(result.isError).toBe(true);
    expect(contentText(result as never)).toMatch(
      /Nothing was sent: the person at the host did not answer within 2 s/,
    );
    expect(sends()).toBe(before);
  });

  it("gets a result as soon as the host cancels the call", async () => {
    // The TTL is the default 600 s here: only the cancel can end the wait.
    const patient = await overStdio(liveEnv(sandbox, { CLICKSEND_STATE_DIR: "memory" }));
    onTestFinished(() => patient.stop());
    const host = await patient.host({});
    host.client.setRequestHandler("elicitation/create", () => new Promise(() => {}));
    const before = sends();
    const abort = new AbortController();
    const call = host.client.callTool(
      { name: "send_sms", arguments: sms("Cancelled") },
      { signal: abort.signal },
    );
    const server = host.transport as StdioServer;
    const seen = (method: string) => server.notifications.some((n) => n.method === method);
    await until("the question", () => seen("elicitation/create"));
    abort.abort();
    await expect(call).rejects.toThrow();
    // The server withdraws its question at once: it does not wait out the TTL.
    await until("the question withdrawn", () => seen("notifications/cancelled"));
    expect(sends()).toBe(before);
  });
});
