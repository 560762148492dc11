/**
 * A send without a confirmation, from a host that can ask its user (form elicitation): the person
 * is asked (recipients masked, text, parts, price) before anything is reserved or posted. Over
 * stdio with a 2025 client (elicitation/create) and with a 2026-07-28 client (input_required),
 * against the built server and a sandbox in this process: accept sends once; decline and
 * dismiss send nothing.
 */
import { Client, type ClientOptions } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import { liveEnv } from "./support/live.js";
import { contentText, dataOf, NOTHING_SENT } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { TEST_TO } from "./support/tool-args.js";

type Reply = { action: "accept" | "decline" | "cancel"; content?: Record<string, boolean> };

const ERAS: Record<string, ClientOptions> = {
  "2025 (elicitation/create)": {},
  "2026-07-28 (input_required)": { versionNegotiation: { mode: { pin: "2026-07-28" } } },
};

describe.each(Object.entries(ERAS))(
  "a %s client over stdio that can ask its user",
  (_era, options) => {
    let sandbox: Sandbox;
    let server: StdioServer;
    let client: Client;
    const replies: Reply[] = [];
    const questions: string[] = [];

    beforeAll(async () => {
      sandbox = await startSandbox(CANARY);
      // Even with confirmations required, the person's yes at the host is enough.
      server = await startServer([], liveEnv(sandbox, { CLICKSEND_REQUIRE_CONFIRMATION: "1" }));
      client = new Client(
        { name: "asking-host", version: "1.0.0" },
        { ...options, capabilities: { elicitation: { form: {} } } },
      );
      client.setRequestHandler("elicitation/create", async (request) => {
        questions.push(String(request.params.message));
        return replies.shift() ?? { action: "cancel" };
      });
      await client.connect(server);
    });

    afterAll(async () => {
      await client?.close();
      await sandbox?.close();
    });

    const sends = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
    const sms = (body: string) => ({
      messages: [
        { to: TEST_TO[0], body },
        { to: TEST_TO[1], body },
      ],
    });

    it("asks, and sends once when the person accepts", async () => {
      const before = sends();
      replies.push({ action: "accept", content: { send: true } });
      const result = await client.callTool({ name: "send_sms", arguments: sms("See you at 10") });
      expect(result.isError, contentText(result)).toBeFalsy();
      expect(dataOf(result)).toMatchObject({ queued_count: 2 });
      expect(sends()).toBe(before + 1);
      const question = questions.at(-1) ?? "";
      expect(question).toMatch(/^Send 2 SMS to /);
      expect(question.split("\n")).toContain("│ See you at 10");
      expect(question).toMatch(/AUD/);
      // Numbers are masked in the question, as in logs.
      expect(question).not.toContain(TEST_TO[0]);
    });

    it.each([
      ["declines", { action: "decline" } as Reply, /declined/],
      ["dismisses the form", { action: "cancel" } as Reply, /dismissed/],
      [
        "accepts without ticking send",
        { action: "accept", content: { send: false } } as Reply,
        /declined/,
      ],
    ])("sends nothing when the person %s", async (_label, reply, said) => {
      const before = sends();
      replies.push(reply);
      const result = await client.callTool({
        name: "send_sms",
        arguments: sms(`Not this ${_label}`),
      });
      expect(result.isError).toBe(true);
      expect(contentText(result)).toMatch(said);
      expect(contentText(result)).toMatch(NOTHING_SENT);
      expect(sends()).toBe(before);
    });
  },
);

describe("a client that cannot ask its user", () => {
  let sandbox: Sandbox;
  let server: StdioServer;
  let client: Client;
  beforeAll(async () => {
    sandbox = await startSandbox(CANARY);
    server = await startServer([], liveEnv(sandbox, { CLICKSEND_REQUIRE_CONFIRMATION: "1" }));
    client = new Client({ name: "plain-host", version: "1.0.0" });
    await client.connect(server);
  });
  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it("falls back to the operator's rule: a confirmation is required, nothing leaves", async () => {
    const before = sandbox.requests.length;
    const result = await client.callTool({
      name: "send_sms",
      arguments: { messages: [{ to: TEST_TO[0], body: "No way to ask" }] },
    });
    expect(result.isError).toBe(true);
    expect(contentText(result)).toMatch(/preview_sms/);
    expect(sandbox.requests.length).toBe(before);
  });
});
