import type { CallToolResult, Client, JsonSchemaValidator } from "@modelcontextprotocol/client";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type StdioServer, startServer } from "./support/stdio.js";

/** Every tool of the catalogue (--toolsets all) is called at least once over stdio, as a host would. */
let client: Client;
let server: StdioServer;
const called = new Set<string>();

beforeAll(async () => {
  server = await startServer(["--sandbox", "--toolsets", "all"]);
  client = await server.connect("e2e-catalogue");
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

/** Each tool's outputSchema as listed; the SDK client checks results too, this names the path. */
const validators = new Map<string, JsonSchemaValidator<unknown>>();

async function call(name: string, args: Record<string, unknown> = {}) {
  called.add(name);
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  const check = validators.get(name)?.(result.structuredContent);
  expect(check?.valid, `${name}: ${check?.errorMessage}`).toBe(true);
  // Every sandbox result says so where hosts that show only structuredContent will see it.
  expect((result.structuredContent as Record<string, unknown>)?.sandbox, name).toBe(true);
  // biome-ignore lint/suspicious/noExplicitAny: results are walked loosely to chain ids between calls.
  return result.structuredContent as Record<string, any>;
}

it("runs every tool of the catalogue end to end against the sandbox", async () => {
  const { tools } = await client.listTools();
  const ajv = new AjvJsonSchemaValidator();
  for (const tool of tools) {
    if (tool.outputSchema) validators.set(tool.name, ajv.getValidator(tool.outputSchema as object));
  }

  await call("get_account");
  await call("list_countries", { q: "AU" });

  const lists = await call("list_contact_lists");
  const listId = lists.items[0].list_id as number;
  await call("get_contact_list", { list_id: listId });
  const created = await call("create_contact_list", { list_name: "E2E" });
  const newListId = (created.list_id ?? created.list?.list_id) as number;
  expect(newListId).toBeGreaterThan(0);
  await call("update_contact_list", { list_id: newListId, list_name: "E2E renamed" });

  const contact = await call("create_contact", {
    list_id: newListId,
    phone_number: "+61411111111",
    first_name: "Eve",
  });
  const contactId = (contact.contact_id ?? contact.contact?.contact_id) as number;
  await call("list_contacts", { list_id: newListId });
  await call("get_contact", { list_id: newListId, contact_id: contactId });
  await call("update_contact", { list_id: newListId, contact_id: contactId, last_name: "Example" });

  const sms = await call("send_sms", {
    messages: [{ list_id: newListId, body: "Hello from e2e" }],
  });
  expect(sms.queued_count).toBe(1);
  await call("list_sms_history", { order_by: "date:desc" });

  await call("delete_contact", { list_id: newListId, contact_id: contactId });
  await call("delete_contact_list", { list_id: newListId });

  await call("list_templates");
  const template = await call("create_template", { template_name: "E2E", body: "Hi [first_name]" });
  const templateId = (template.template_id ?? template.template?.template_id) as number;
  await call("update_template", { template_id: templateId, template_name: "E2E 2", body: "Hello" });
  await call("delete_template", { template_id: templateId });

  await call("list_email_addresses");
  const email = await call("create_email_address", { email_address: "e2e@example.com" });
  const emailId = (email.email_address_id ?? email.email_address?.email_address_id) as number;
  await call("delete_email_address", { email_address_id: emailId });

  await call("send_mms", {
    media_file: "https://example.com/picture.jpg",
    messages: [{ to: "+61422222222", subject: "Hi", body: "A picture" }],
  });
  await call("list_mms_history");
  await call("list_voice_languages");

  // The loop a person can try: send to the sandbox's reply number, read the receipt and the reply.
  const sent = await call("send_sms", {
    messages: [{ to: "+61491570156", body: "Confirm for 10am?" }],
  });
  const sentId = sent.queued[0].message_id as string;
  const receipts = await call("list_delivery_receipts", { limit: 100 });
  expect(receipts.items.map((r: { message_id: string }) => r.message_id)).toContain(sentId);
  expect(await call("get_send_status", { tag: sent.tag })).toMatchObject({
    accepted: 1,
    counts: { delivered: 1 },
  });
  expect(await call("await_delivery", { tag: sent.tag, timeout_s: 5 })).toMatchObject({
    outcome: "settled",
  });
  const inbound = await call("list_inbound_sms");
  expect(inbound.items[0]).toMatchObject({
    original_message_id: sentId,
    body: "«Yes please, see you then!»",
  });
  // The sandbox account has the POLL rules ClickSend needs, so creating another is skipped.
  const rules = await call("list_automation_rules");
  expect(rules.polling).toEqual({ replies: true, receipts: true, voice_receipts: true });
  expect((await call("create_automation_rule", { kind: "inbound" })).existing).toBeDefined();
  const reply = await call("get_inbound_sms", { original_message_id: sentId });
  expect(reply.message_id).toBe(inbound.items[0].message_id);
  expect((await call("mark_inbound_sms_read", { message_id: reply.message_id })).marked_read).toBe(
    1,
  );
  expect((await call("list_inbound_sms")).items).toEqual([]);
  // The thread still has the reply, read now, after the send; and the person is listed.
  const thread = await call("get_conversation", { phone_number: "0491 570 156", country: "AU" });
  expect(thread.messages.slice(-2)).toMatchObject([
    { direction: "out", message_id: sentId },
    { direction: "in", message_id: reply.message_id, text: "«Yes please, see you then!»" },
  ]);
  expect(thread.awaiting_reply).toBe(false);
  // Listed by the send: the reply is read, and only unread replies are listed (and counted).
  const people = await call("list_conversations");
  expect(
    people.items.find((p: { phone_number: string }) => p.phone_number === "+61491570156"),
  ).toEqual({ phone_number: "+61491570156", last_at: expect.any(String), last: "out" });
  expect((await call("get_delivery_receipt", { message_id: sentId })).status_code).toBe(201);
  await call("mark_delivery_receipts_read", { all: true });
  expect((await call("list_delivery_receipts")).items).toEqual([]);
  const later = await call("send_sms", {
    messages: [
      { to: "+61422222222", body: "Later", schedule: Math.floor(Date.now() / 1000) + 86_400 },
    ],
  });
  await call("cancel_scheduled_sms", { message_id: later.queued[0].message_id });
  const previewed = { messages: [{ to: "0411 111 111", country: "AU", body: "Hi" }] };
  const preview = await call("preview_sms", previewed);
  expect(preview.preview).toContain("Nothing was sent.");
  const confirmed = await call("send_sms", { ...previewed, confirmation: preview.confirmation });
  expect(confirmed.queued_count).toBe(1);
  await call("preview_mms", {
    media_file: "https://example.com/picture.jpg",
    messages: [{ to: "+61411111111", subject: "Hi", body: "Preview" }],
  });
  await call("preview_voice", {
    messages: [{ to: "+61433333333", body: "Preview", voice: "female" }],
  });
  await call("send_voice", {
    messages: [{ to: "+61433333333", body: "Your code is 1 2 3", voice: "female" }],
  });
  const asked = await call("send_voice", {
    messages: [{ to: "+61491570156", body: "Press 1 to confirm", voice: "male", require_input: 1 }],
  });
  const askedId = asked.queued[0].message_id as string;
  const byId = (items: Array<{ message_id: string }>) =>
    items.find((i) => i.message_id === askedId);
  const history = await call("list_voice_history", { order_by: "date_added:desc" });
  expect(byId(history.items)).toMatchObject({ digits: "1" });
  const voiceReceipts = await call("list_voice_receipts");
  expect(byId(voiceReceipts.items)).toMatchObject({ digits: "1" });
  await call("mark_voice_receipts_read", { all: true });
  expect(byId((await call("list_voice_receipts")).items)).toBeUndefined();
  const uploaded = await call("upload_media", {
    content: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  });
  expect(uploaded.media_file).toMatch(/\.gif$/);
  const laterCall = await call("send_voice", {
    messages: [
      {
        to: "+61422222222",
        body: "Later",
        voice: "female",
        schedule: Math.floor(Date.now() / 1000) + 86_400,
      },
    ],
  });
  await call("cancel_scheduled_voice", { message_id: laterCall.queued[0].message_id });

  const found = await call("search_contacts", { q: "john" });
  expect(found.items[0].first_name).toBe("John");
  const cleaned = await call("delete_opted_out_contacts", { list_id: listId });
  expect(cleaned.opt_out_list.list_name).toBe("«Opt Out»");
  await call("list_sender_ids");
  await call("get_sms_statistics");

  const uncalled = tools.map((t) => t.name).filter((name) => !called.has(name));
  expect(uncalled).toEqual([]);
  expect(server.nonJsonRpcLines()).toEqual([]);
});
