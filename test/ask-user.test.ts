/**
 * ctx.askUser over MCP elicitation, with a probe tool that asks and reports the answer: a 2025
 * client on a connection gets elicitation/create (the SDK re-enters the call with the answer), a
 * 2026-07-28 client gets input_required and retries. Hosts that cannot ask get "unavailable".
 */
import {
  Client,
  InMemoryTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { silentLogger } from "../src/logger.js";
import { AnswerNeeded } from "../src/protocol/ask-user.js";
import { createServer } from "../src/protocol/server.js";
import { defineTool, type ToolDefinition } from "../src/tool/define-tool.js";
import { testClient } from "./support/harness.js";
import { dataOf } from "./support/results.js";

let asked = 0;
const probe = defineTool({
  name: "ask_probe",
  toolset: "account",
  title: "Ask probe",
  description: "Asks the user whether to go on.",
  input: z.strictObject({ subject: z.string() }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  output: z.object({ answer: z.enum(["accept", "decline", "cancel", "unavailable"]) }),
  run: async ({ subject }, ctx) => {
    if (!ctx.askUser) return { answer: "unavailable" as const };
    const answer = ctx.askUser.answerFor(subject);
    if (!answer) {
      throw new AnswerNeeded({ message: `Go on with ${subject}?`, subject, token: `t-${subject}` });
    }
    expect(answer.token).toBe(`t-${subject}`);
    if (answer.action === "accept") asked += 1;
    return { answer: answer.action };
  },
});

type Reply = {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, string | number | boolean | string[]>;
};
const replies: Reply[] = [];
const questions: string[] = [];

function elicitingClient(name: string, options: ConstructorParameters<typeof Client>[1] = {}) {
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } }, ...options },
  );
  client.setRequestHandler("elicitation/create", async (request) => {
    questions.push(String(request.params.message));
    return replies.shift() ?? { action: "cancel" };
  });
  return client;
}

let sandbox: Sandbox;
let tools: ToolDefinition[];
beforeAll(async () => {
  sandbox = await startSandbox();
  tools = [probe];
});
afterAll(() => sandbox?.close());

const serverFor = (era: "legacy" | "modern") =>
  createServer({ client: testClient(sandbox), tools, options: { logger: silentLogger }, era });

async function legacyClient(declares = true): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = declares ? elicitingClient("legacy") : new Client({ name: "plain", version: "1" });
  await Promise.all([serverFor("legacy").connect(serverSide), client.connect(clientSide)]);
  return client;
}

async function modernClient(declares = true): Promise<Client> {
  const handler = createMcpHandler(({ era }) => serverFor(era));
  const options = { versionNegotiation: { mode: { pin: "2026-07-28" as const } } };
  const client = declares
    ? elicitingClient("modern", options)
    : new Client({ name: "plain", version: "1" }, options);
  await client.connect(
    new StreamableHTTPClientTransport(new URL("http://in-process.test/mcp"), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );
  return client;
}

describe.each([
  ["a 2025 client over a connection (elicitation/create)", legacyClient],
  ["a 2026-07-28 client (input_required)", modernClient],
])("%s", (_name, connect) => {
  it("asks the user, and the call goes on with an accept", async () => {
    const client = await connect();
    replies.push({ action: "accept", content: { send: true } });
    const before = asked;
    const result = await client.callTool({ name: "ask_probe", arguments: { subject: "the plan" } });
    expect(dataOf(result)).toEqual({ answer: "accept" });
    expect(questions.at(-1)).toBe("Go on with the plan?");
    expect(asked).toBe(before + 1);
  });

  it.each([
    ["decline", { action: "decline" } as Reply, "decline"],
    ["cancel", { action: "cancel" } as Reply, "cancel"],
    ["accept with send: false", { action: "accept", content: { send: false } } as Reply, "decline"],
  ])("reports %s", async (_label, reply, answer) => {
    const client = await connect();
    replies.push(reply);
    const result = await client.callTool({ name: "ask_probe", arguments: { subject: "x" } });
    expect(dataOf(result)).toEqual({ answer });
  });

  it("has no askUser when the client cannot ask its user", async () => {
    const client = await connect(false);
    const result = await client.callTool({ name: "ask_probe", arguments: { subject: "x" } });
    expect(dataOf(result)).toEqual({ answer: "unavailable" });
  });
});
