/**
 * Per-person identity over HTTP with OAuth (issue 26 item 4): the token's sub and name, read
 * defensively, reach the send audit, the logs and the question; per-person daily limits refuse a
 * person's send with nothing sent. An in-process server with a person, as serve.ts makes one per
 * request, over the SDK client, with the sandbox counting sends.
 */
import {
  type CallToolResult,
  Client,
  InMemoryTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { parseCli } from "../src/config.js";
import { type Logger, silentLogger } from "../src/logger.js";
import { type Person, personLabel, personOf } from "../src/oauth/person.js";
import { createServer } from "../src/protocol/server.js";
import type { SendingConfig } from "../src/sending/policy.js";
import { serverFactory } from "../src/serve.js";
import { catalogue, tools, toolsets } from "../tools/index.js";
import { type Harness, harness, sendRequests } from "./support/harness.js";
import { contentText, dataOf } from "./support/results.js";
import { TEST_TO } from "./support/tool-args.js";

type Reply = { action: "accept" | "decline" | "cancel"; content?: Record<string, boolean> };

/** A number the sandbox charges for (its test numbers are free). */
const PAID = "+61400123456";
const ANA: Person = { sub: "ana", name: "Ana Silva" };

describe("personOf", () => {
  it("reads the sub and name a verified token carries, and nothing else", () => {
    expect(personOf({ extra: { sub: "ana", name: "Ana Silva", email: "a@x" } })).toEqual(ANA);
    expect(personOf({ extra: { sub: "ana" } })).toEqual({ sub: "ana" });
    expect(personOf({ extra: { sub: "ana", name: "  " } })).toEqual({ sub: "ana" });
    expect(personOf({ extra: { sub: "ana", name: 7 } })).toEqual({ sub: "ana" });
    for (const extra of [undefined, {}, { sub: "" }, { sub: 42 }, { sub: ["ana"] }]) {
      expect(personOf(extra ? { extra } : {})).toBeUndefined();
    }
    expect(personOf(undefined)).toBeUndefined();
  });

  it("shows line breaks, bidi and zero-width characters as escapes, on one line", () => {
    const person = personOf({
      extra: { sub: "ana\u200b", name: "Ana\nNothing is sent unless you accept.\r\u202e" },
    }) as Person;
    expect(person.sub).toBe("ana\\u200b");
    expect(person.name).toBe("Ana\\u000aNothing is sent unless you accept.\\u000d\\u202e");
    expect(personLabel({ sub: "x\ny", name: "B\u2028" })).toBe("B\\u2028 (x\\u000ay)");
  });

  it("bounds both; two long subs that share a beginning stay two people", () => {
    const long = (end: string) => personOf({ extra: { sub: `${"s".repeat(300)}${end}` } });
    const [one, two] = [long("1"), long("2")] as Person[];
    expect(one?.sub.length).toBeLessThanOrEqual(200);
    expect(one?.sub).not.toBe(two?.sub);
    const named = personOf({ extra: { sub: "ana", name: "n".repeat(500) } });
    expect(named?.name?.length).toBeLessThanOrEqual(200);
  });
});

let current: Harness | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/**
 * A server for `person` on a harness's sandbox and send state, and an SDK client: one that asks
 * its user when `replies` is given (answering from it, keeping each question), else one that
 * cannot ask.
 */
async function serverFor(
  h: Harness,
  person: Person | undefined,
  options: { replies?: Reply[]; questions?: string[]; logs?: string[] } = {},
): Promise<Client> {
  const logs = options.logs ?? [];
  const logger: Logger = {
    debug: () => {},
    info: (m) => logs.push(m),
    warn: (m) => logs.push(m),
    error: (m) => logs.push(m),
  };
  const server = createServer({
    client: h.client,
    tools,
    resources: catalogue.resources,
    options: { sandbox: true, logger, sending: h.sending, ...(person ? { person } : {}) },
  });
  const asks = options.replies !== undefined;
  const client = new Client(
    { name: asks ? "asking-host" : "plain-host", version: "1.0.0" },
    asks ? { capabilities: { elicitation: { form: {} } } } : {},
  );
  if (asks) {
    client.setRequestHandler("elicitation/create", async (request) => {
      options.questions?.push(String(request.params.message));
      return options.replies?.shift() ?? { action: "cancel" };
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

const setup = async (sending: Partial<SendingConfig> = {}) => {
  current = await harness({ sending });
  return current;
};

const sendSms = (client: Client, to: string, body: string) =>
  client.callTool({
    name: "send_sms",
    arguments: { messages: [{ to, body }] },
  }) as Promise<CallToolResult>;

async function auditToday(client: Client) {
  const read = await client.readResource({ uri: "clicksend://sends/today" });
  const first = read.contents[0] as { text: string };
  return JSON.parse(first.text) as { sends: Array<Record<string, unknown>> };
}

describe("a send on behalf of a person", () => {
  it("is recorded in the audit with by, and logged with their sub and name", async () => {
    const h = await setup();
    const logs: string[] = [];
    const client = await serverFor(h, ANA, { logs });
    const sent = await sendSms(client, TEST_TO[0], "Your table is ready");
    expect(sent.isError).toBeFalsy();
    const audit = await auditToday(client);
    expect(audit.sends).toHaveLength(1);
    expect(audit.sends[0]).toMatchObject({
      outcome: "sent",
      by: { sub: "ana", name: "Ana Silva" },
    });
    const line = logs.find((m) => m.startsWith("send_sms"));
    expect(line).toMatch(/^send_sms by Ana Silva \(ana\) \(sandbox, nothing sent\): 1 queued/);
    expect(logs.join("\n")).not.toContain("Your table is ready");
  });

  it("without a person, the audit and the log name nobody", async () => {
    const h = await setup();
    const logs: string[] = [];
    const client = await serverFor(h, undefined, { logs });
    expect((await sendSms(client, TEST_TO[0], "Hello")).isError).toBeFalsy();
    const audit = await auditToday(client);
    expect(audit.sends[0]).not.toHaveProperty("by");
    expect(logs.find((m) => m.startsWith("send_sms"))).toMatch(/^send_sms \(sandbox/);
  });

  it("asks the person at the host, naming whom it asks for", async () => {
    const h = await setup();
    const questions: string[] = [];
    const replies: Reply[] = [{ action: "decline" }];
    const client = await serverFor(h, ANA, { replies, questions });
    const declined = await sendSms(client, TEST_TO[0], "Hello");
    expect(declined.isError).toBe(true);
    expect(questions).toHaveLength(1);
    const lines = (questions[0] as string).split("\n");
    expect(lines.at(-2)).toBe("Asked for Ana Silva (ana).");
    expect(lines.at(-1)).toBe("Nothing is sent unless you accept.");
    expect(sendRequests(h.sandbox)).toEqual([]);
  });

  it("a name with a line break, bidi and zero-width characters cannot forge a line", async () => {
    const h = await setup();
    const forged = personOf({
      extra: {
        sub: "mallory",
        name: "Ana\nNothing is sent unless you accept.\u202e\u200b",
      },
    });
    const questions: string[] = [];
    const client = await serverFor(h, forged, { replies: [{ action: "cancel" }], questions });
    await sendSms(client, TEST_TO[0], "Hello");
    const plain: string[] = [];
    const plainClient = await serverFor(
      h,
      { sub: "mallory" },
      {
        replies: [{ action: "cancel" }],
        questions: plain,
      },
    );
    await sendSms(plainClient, TEST_TO[0], "Hello");
    const lines = (questions[0] as string).split("\n");
    // As many lines as for a person with a plain sub and no name.
    expect(lines).toHaveLength((plain[0] as string).split("\n").length);
    expect(lines.filter((l) => l === "Nothing is sent unless you accept.")).toHaveLength(1);
    expect(lines.at(-2)).toBe(
      "Asked for Ana\\u000aNothing is sent unless you accept.\\u202e\\u200b (mallory).",
    );
    expect(questions[0]).not.toMatch(/[\u202e\u200b]/);
  });

  it("with a name, the question has one line more than without a person", async () => {
    const h = await setup();
    const nobody: string[] = [];
    const anas: string[] = [];
    await sendSms(
      await serverFor(h, undefined, { replies: [], questions: nobody }),
      TEST_TO[0],
      "Hi",
    );
    await sendSms(await serverFor(h, ANA, { replies: [], questions: anas }), TEST_TO[0], "Hi");
    expect((anas[0] as string).split("\n")).toEqual([
      ...(nobody[0] as string).split("\n").slice(0, -1),
      "Asked for Ana Silva (ana).",
      "Nothing is sent unless you accept.",
    ]);
  });
});

describe("per-person daily limits", () => {
  it("refuse a person past their own limit with nothing sent, naming the limit, them and what is left", async () => {
    const h = await setup({ personDailyMessageLimit: 2 });
    const ana = await serverFor(h, ANA);
    expect((await sendSms(ana, TEST_TO[0], "One")).isError).toBeFalsy();
    expect((await sendSms(ana, TEST_TO[1], "Two")).isError).toBeFalsy();
    const over = await sendSms(ana, TEST_TO[2], "Three");
    expect(over.isError).toBe(true);
    const text = contentText(over);
    expect(text).toContain("Refused by CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT for Ana Silva (ana)");
    expect(text).toContain("0 are left");
    expect(text).toContain("Nothing was sent.");
    expect(sendRequests(h.sandbox)).toHaveLength(2);
    // Another person has their own allowance; the operator (no person) is held to none of these.
    const bo = await serverFor(h, { sub: "bo" });
    expect((await sendSms(bo, TEST_TO[3], "Three")).isError).toBeFalsy();
    const operator = await serverFor(h, undefined);
    expect((await sendSms(operator, TEST_TO[3], "Four")).isError).toBeFalsy();
    expect(sendRequests(h.sandbox)).toHaveLength(4);
  });

  it("give a person's count back when ClickSend refuses their send", async () => {
    const h = await setup({ personDailyMessageLimit: 1 });
    const ana = await serverFor(h, ANA);
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "status", status: 400 } });
    const failed = await sendSms(ana, TEST_TO[0], "Hello");
    expect(failed.isError).toBe(true);
    expect(contentText(failed)).toContain("Nothing was sent");
    expect((await sendSms(ana, TEST_TO[0], "Hello")).isError).toBeFalsy();
    expect(contentText(await sendSms(ana, TEST_TO[1], "Hello"))).toContain(
      "sent 1 in the last 24 hours, 0 are left",
    );
  });

  it("a spend limit quotes the send and refuses it before it leaves", async () => {
    const h = await setup({ personDailySpendLimit: 0.1 });
    const ana = await serverFor(h, ANA);
    expect((await sendSms(ana, PAID, "Hello")).isError).toBeFalsy();
    const over = await sendSms(ana, PAID, "Again");
    expect(over.isError).toBe(true);
    expect(contentText(over)).toContain(
      "Refused by CLICKSEND_PERSON_DAILY_SPEND_LIMIT for Ana Silva (ana): each person may spend 0.1 AUD per 24 hours; Ana Silva (ana) spent 0.0792 AUD in the last 24 hours, 0.0208 AUD is left, and this send would cost 0.0792 AUD.",
    );
    expect(sendRequests(h.sandbox)).toHaveLength(1);
    const operator = await serverFor(h, undefined);
    expect(dataOf(await sendSms(operator, PAID, "Again"))).toMatchObject({ queued_count: 1 });
  });
});

describe("over HTTP, the person of each request's token", () => {
  /** A client of serve.ts's server factory behind the SDK's HTTP handler, as http.ts serves it. */
  async function httpClient(
    h: Harness,
    extra: Record<string, unknown> | undefined,
    modern: boolean,
  ) {
    const action = parseCli(["--sandbox", "--http"], {}, toolsets);
    if (action.kind !== "serve") throw new Error(`expected serve, got ${action.kind}`);
    const factory = serverFactory(
      action.config,
      h.client,
      silentLogger,
      h.sending,
      undefined,
      undefined,
    );
    const handler = createMcpHandler(factory);
    const authInfo = {
      token: "not-logged",
      clientId: "c",
      scopes: [],
      ...(extra ? { extra } : {}),
    };
    const client = new Client(
      { name: "http-host", version: "1.0.0" },
      modern ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL("http://in-process.test/mcp"), {
        fetch: (url, init) => handler.fetch(new Request(url, init), { authInfo }),
      }),
    );
    return client;
  }

  it.each([
    ["a 2025 client", false],
    ["a 2026-07-28 client", true],
  ])("%s: reaches the audit; a token without a sub names nobody", async (_name, modern) => {
    const h = await setup({ personDailyMessageLimit: 1 });
    const ana = await httpClient(h, { sub: "ana", name: "Ana\u202eSilva" }, modern);
    expect((await sendSms(ana, TEST_TO[0], "Hello")).isError).toBeFalsy();
    expect(contentText(await sendSms(ana, TEST_TO[1], "Again"))).toContain(
      "CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT for Ana\\u202eSilva (ana)",
    );
    const operator = await httpClient(h, undefined, modern);
    expect((await sendSms(operator, TEST_TO[1], "Again")).isError).toBeFalsy();
    const audit = await auditToday(operator);
    expect(audit.sends.map((s) => s.by)).toEqual([
      { sub: "ana", name: "Ana\\u202eSilva" },
      undefined,
    ]);
    expect(sendRequests(h.sandbox)).toHaveLength(2);
  });
});
