/**
 * Every tool declares its result (ToolDefinition.output) and tools/list carries it as
 * outputSchema. A client validates structuredContent against it whenever a result is not an
 * error (the SDK client does, on every callTool), so every shape a tool answers without isError
 * must satisfy it: the happy path, previews, replays, partial outcomes, empty lists, cut results.
 */
import type { CallToolResult, Client, Tool } from "@modelcontextprotocol/client";
import { Ajv, AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { answerWith } from "../sandbox/replies.js";
import { createClickSendClient } from "../src/client/client.js";
import { callTool, createServer, toolListing } from "../src/protocol/server.js";
import { createSendingPolicy } from "../src/sending/policy.js";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "../tools/annotations.js";
import { tools } from "../tools/index.js";
import { connectInProcess, contextFor, type Harness, harness } from "./support/harness.js";
import { addSms, type Fixture, stateFixture, validArgs } from "./support/tool-args.js";

type Data = Record<string, unknown>;

/** A client for tools that make no request. */
const offline = () =>
  createClickSendClient({
    baseUrl: "http://127.0.0.1:9/v3",
    auth: { kind: "none" },
    timeoutMs: 1000,
  });

const listings = new Map(tools.map((tool) => [tool.name, toolListing(tool)]));
const outputSchemaOf = (name: string) =>
  listings.get(name)?.outputSchema as Record<string, unknown> | undefined;

/** What clients run: the SDK client's own validator (Ajv, draft 2020-12, all errors). */
const clientValidator = new AjvJsonSchemaValidator();
const validators = new Map(
  tools.map((tool) => [
    tool.name,
    clientValidator.getValidator<unknown>(outputSchemaOf(tool.name) ?? {}),
  ]),
);

/** Fails naming the tool and the path of each mismatch. */
function expectValid(name: string, structured: unknown): void {
  const validate = validators.get(name);
  if (!validate) throw new Error(`${name} is not in the registry`);
  const { valid, errorMessage } = validate(structured);
  expect(valid, `${name}: ${errorMessage}\n${JSON.stringify(structured).slice(0, 2000)}`).toBe(
    true,
  );
}

describe("outputSchema in tools/list", () => {
  // Strict: an unknown keyword or a malformed schema throws, where clients would only skip it.
  const strict = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });

  it.each(tools.map((tool) => [tool.name]))("%s: a valid JSON Schema for an object", (name) => {
    const schema = outputSchemaOf(name);
    expect(schema?.type).toBe("object");
    expect(schema).not.toHaveProperty("$schema");
    expect(() => strict.compile(schema as object)).not.toThrow();
    // What the server adds to any result is declared on every tool.
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining(["sandbox", "truncated"]),
    );
  });

  it("refuses what a tool does not declare, where the tool shapes its result itself", () => {
    expectValid("get_account", { user_id: 1, balance: 1, sandbox: true });
    const invalid = validators.get("get_account")?.({ user_id: 1, balance: "1", extra: 1 });
    expect(invalid?.valid).toBe(false);
    expect(invalid?.errorMessage).toMatch(/balance/);
  });
});

describe("the SDK client holds results to the outputSchema", () => {
  it("rejects a result that does not match, so every validated call in these tests counts", async () => {
    const liar = defineTool({
      name: "get_liar",
      toolset: "test",
      title: "Liar",
      description: "Answers something its schema does not allow.",
      input: z.strictObject({}),
      annotations: READ,
      output: z.object({ count: z.int() }),
      run: async () => ({ count: "three" }) as unknown as { count: number },
    });
    const client = await connectInProcess(
      createServer({ client: offline(), tools: [liar], options: { sandbox: true } }),
    );
    try {
      await client.listTools();
      await expect(client.callTool({ name: "get_liar", arguments: {} })).rejects.toThrow(
        /does not match the tool's output schema/,
      );
    } finally {
      await client.close();
    }
  });
});

describe("every tool's sandbox results satisfy its outputSchema", () => {
  let h: Harness;
  let client: Client;
  let fixture: Fixture;

  beforeAll(async () => {
    h = await harness();
    fixture = stateFixture(h.sandbox.state);
    for (const channel of ["sms", "mms", "voice"] as const) {
      addSms(h.sandbox.state, { channel, to: "+61411111111", body: `Seeded ${channel}` });
    }
    fixture.repliedSms();
    client = await h.connect({ sandbox: true });
    // The client validates results only against the tools/list it has seen.
    const { tools: listed } = await client.listTools();
    expect(listed.every((tool: Tool) => tool.outputSchema !== undefined)).toBe(true);
  });
  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  /** A call through the SDK client (which validates too), checked again here with a path. */
  async function call(name: string, args: Data = {}): Promise<Data> {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, `${name}: ${JSON.stringify(result.content).slice(0, 500)}`).toBeFalsy();
    expect((result.structuredContent as Data | undefined)?.sandbox, name).toBe(true);
    expectValid(name, result.structuredContent);
    return result.structuredContent as Data;
  }

  it.each(tools.map((tool) => [tool.name]))("%s, happy path", async (name) => {
    const data = await call(name, validArgs(name, fixture));
    // A list checks its items' schema only when it has some.
    if (Array.isArray(data.items)) expect(data.items, name).not.toEqual([]);
  });

  it("send tools: previews, replays, list sends with opted-out members left out, partial failures", async () => {
    // Seeded with a member who replied Stop and is on the Opt Out list.
    const listId = h.sandbox.state.lists.find((l) => l.list_name === "Newsletter")?.list_id;
    expect(listId).toBeDefined();
    const long = "x".repeat(1224);
    const preview = await call("preview_sms", {
      messages: [
        { to: "+61411111111", body: long },
        { list_id: listId, body: "Hi ✓" },
      ],
    });
    expect(preview.confirmation).toBeDefined();
    expect(preview.warnings).toBeDefined();
    await call("preview_mms", {
      media_file: "https://example.com/a.jpg",
      messages: [{ to: "+61422222222", subject: "Hi", body: "Preview" }],
    });
    await call("preview_voice", {
      messages: [{ list_id: listId, body: "Preview call", voice: "male" }],
    });

    const toList = await call("send_sms", { messages: [{ list_id: listId, body: "To a list" }] });
    expect(toList.opted_out_left_out).toBeGreaterThan(0);
    expect(toList.lists_expanded).toBeDefined();

    const keyed = { idempotency_key: "k-1", messages: [{ to: "+61433333333", body: "Keyed" }] };
    await call("send_sms", keyed);
    expect((await call("send_sms", keyed)).replayed).toBeDefined();

    // ClickSend refuses a number of a country the account cannot send to (sms-tools.test.ts).
    const partial = await call("send_sms", {
      messages: [
        { to: "+61444444444", body: "Queued" },
        { to: "+380502762716", body: "Refused by ClickSend" },
      ],
    });
    expect(partial).toMatchObject({ queued_count: 1, failed_count: 1 });
  });

  it("replies, receipts and rules: empty lists that say why, the other branches of each tool", async () => {
    const { message_id } = addSms(h.sandbox.state, {
      to: "+61422222222",
      body: "Later",
      schedule: Math.floor(Date.now() / 1000) + 86_400,
      status: "Scheduled",
      custom_string: "later-1",
    });
    expect(message_id).toBeDefined();
    await call("cancel_scheduled_sms", { custom_string: "later-1" });
    await call("cancel_scheduled_sms", { all: true });
    await call("mark_inbound_sms_read", { all: true });
    await call("mark_inbound_sms_read", { date_before: 1_700_000_000 });
    const none = await call("mark_inbound_sms_read", {
      message_id: "00000000-0000-4000-8000-000000000000",
    });
    expect(none.note).toBeDefined();
    await call("mark_delivery_receipts_read", { all: true });
    expect((await call("list_delivery_receipts")).items).toEqual([]);

    fixture.withoutPollRule("inbound");
    fixture.withoutPollRule("receipts");
    expect((await call("list_inbound_sms")).note).toBeDefined();
    expect((await call("list_delivery_receipts")).note).toBeDefined();
    expect((await call("list_automation_rules")).note).toBeDefined();
    expect((await call("create_automation_rule", { kind: "inbound" })).created).toBeDefined();
    expect((await call("create_automation_rule", { kind: "inbound" })).existing).toBeDefined();
    await call("list_automation_rules", { kind: "receipts", page: 2 });
  });

  it("status, lookups and lists that find nothing", async () => {
    expect(await call("get_send_status", { tag: "never-sent" })).toMatchObject({ accepted: 0 });
    const missing = await call("get_send_status", {
      message_ids: ["00000000-0000-4000-8000-000000000000"],
      since: Math.floor(Date.now() / 1000) - 3600,
    });
    expect(missing.not_found).toHaveLength(1);
    expect(await call("await_delivery", { tag: "never-sent", timeout_s: 1 })).toMatchObject({
      outcome: "not_found",
    });
    expect(await call("list_countries", { q: "zzzz" })).toMatchObject({ total: 0 });
    expect((await call("search_contacts", { q: "nobody-by-this-name" })).items).toEqual([]);
    await call("list_templates", { q: "template_name:nothing-like-this" });
  });

  it("a page cut to the host's limit, with truncated and has_more", async () => {
    const number = "+61491570110";
    answerWith(h.sandbox.state, number, "Lorem ipsum dolor sit amet. ".repeat(800));
    fixture.withoutPollRule("inbound");
    await call("create_automation_rule", { kind: "inbound" });
    for (let i = 0; i < 40; i++) addSms(h.sandbox.state, { to: number, body: `${i}` });
    const cut = await call("list_inbound_sms", { limit: 100 });
    expect(cut.truncated).toBeDefined();
    expect(cut.has_more).toBe(true);
  });
});

describe("the envelope of a cut result", () => {
  const item = z.object({ id: z.int(), body: z.string() });
  const huge = defineTool({
    name: "list_huge",
    toolset: "test",
    title: "Huge",
    description: "A result over the host's limit.",
    input: z.strictObject({ strings: z.boolean() }),
    annotations: READ,
    output: z.object({ items: z.array(item), count: z.int() }),
    run: async ({ strings }) => ({
      count: 2,
      // Two items that each pass the budget: long texts are cut once the list is cut to one.
      items: [0, 1].map((id) => ({ id, body: "x".repeat(strings ? 200_000 : 10) })),
    }),
  });
  const wide = defineTool({
    name: "get_wide",
    toolset: "test",
    title: "Wide",
    description: "An object of more keys than the budget holds.",
    input: z.strictObject({}),
    annotations: READ,
    output: z.object({ fields: z.record(z.string(), z.int()) }),
    run: async () => ({
      fields: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key_${i}`, i])),
    }),
  });
  const ctx = () => contextFor(offline(), createSendingPolicy());
  const validatorOf = (tool: typeof huge) =>
    clientValidator.getValidator<unknown>(toolListing(tool).outputSchema as object);

  it("declares the list cut and the texts shortened, as fitToBudget writes them", async () => {
    const result = await callTool(huge, { strings: true }, ctx());
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as Data;
    expect(structured.truncated).toMatchObject({ strings_cut_to: expect.any(Number) });
    const { valid, errorMessage } = validatorOf(huge)(structured);
    expect(valid, errorMessage).toBe(true);
  });

  it("makes a result with none of its data an error: it could not satisfy the schema", async () => {
    const result = await callTool(wide, {}, ctx());
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.structuredContent)).toMatch(/ask for less/);
    expect(validatorOf(wide)(result.structuredContent).valid).toBe(false);
  });
});
