import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InboundRule, ReceiptRule } from "../sandbox/state.js";
import { ClickSendApiError } from "../src/errors.js";
import { callTool } from "../src/protocol/server.js";
import { createAutomationRule, listAutomationRules } from "../tools/automations.js";
import { listDeliveryReceipts, listInboundSms } from "../tools/replies.js";
import { listVoiceReceipts, sendVoice } from "../tools/voice.js";
import { contextFor, type Harness, harness, writes } from "./support/harness.js";
import { dataOf, refused, succeeded } from "./support/results.js";
import { addSms } from "./support/tool-args.js";

type Rules = {
  polling: Record<string, boolean>;
  inbound?: { items: Array<Record<string, unknown>>; total: number };
  receipts?: { items: Array<Record<string, unknown>>; total: number };
  note?: string;
};

let h: Harness;
/** An account as ClickSend opens it: no POLL rule. */
let fresh: Harness;
beforeAll(async () => {
  [h, fresh] = await Promise.all([harness(), harness({ pollRules: false })]);
});
afterAll(() => Promise.all([h.close(), fresh.close()]));

const rulesOf = (on: Harness) => on.sandbox.state.rulesOf(on.sandbox.state.users[0]?.user_id ?? 0);
/** Each test starts the fresh account without rules again. */
afterEach(() => {
  const rules = rulesOf(fresh);
  rules.inbound.length = 0;
  rules.receipts.length = 0;
  rules.voice_receipts.length = 0;
});

const inboundRule = (fields: Partial<InboundRule> = {}): InboundRule => ({
  inbound_rule_id: 900 + rulesOf(fresh).inbound.length,
  dedicated_number: "*",
  rule_name: "Forward to me",
  message_search_type: 0,
  message_search_term: "",
  action: "EMAIL_USER",
  action_address: "owner@example.com",
  enabled: 1,
  webhook_type: null,
  ...fields,
});

const receiptRule = (fields: Partial<ReceiptRule> = {}): ReceiptRule => ({
  receipt_rule_id: 500 + rulesOf(fresh).receipts.length,
  rule_name: "Receipts by email",
  match_type: 0,
  action: "EMAIL_USER",
  action_address: "owner@example.com",
  enabled: 1,
  ...fields,
});

describe("list_automation_rules", () => {
  it("lists every kind and says each can be polled on the sandbox account", async () => {
    const before = h.sandbox.requests.length;
    const { data } = await succeeded<Rules>(h, listAutomationRules, {});
    expect(h.sandbox.requests.slice(before).map((r) => [r.method, r.path, r.query])).toEqual(
      expect.arrayContaining([
        ["GET", "automations/sms/inbound", { limit: "100" }],
        ["GET", "automations/sms/receipts", { limit: "100" }],
        ["GET", "automations/voice/receipts", { limit: "100" }],
      ]),
    );
    expect(h.sandbox.requests.length - before).toBe(3);
    expect(data.polling).toEqual({ replies: true, receipts: true, voice_receipts: true });
    expect(data.inbound?.items).toEqual([
      {
        inbound_rule_id: expect.any(Number),
        rule_name: "Poll replies",
        dedicated_number: "*",
        action: "POLL",
        enabled: true,
      },
    ]);
    expect(data.receipts?.items).toEqual([
      {
        receipt_rule_id: expect.any(Number),
        rule_name: "Poll delivery receipts",
        action: "POLL",
        enabled: true,
      },
    ]);
    expect(data.note).toBeUndefined();
  });

  it("lists one kind when asked, with the page asked for", async () => {
    const { data, request } = await succeeded<Rules>(h, listAutomationRules, {
      kind: "receipts",
      page: 1,
    });
    expect(request).toMatchObject({
      path: "automations/sms/receipts",
      query: { page: "1", limit: "100" },
    });
    expect(Object.keys(data).sort()).toEqual(["polling", "receipts"]);
    expect(data.polling).toEqual({ receipts: true });
  });

  it("says a new account can poll nothing and names create_automation_rule", async () => {
    const { data } = await succeeded<Rules>(fresh, listAutomationRules, {});
    expect(data.polling).toEqual({ replies: false, receipts: false, voice_receipts: false });
    expect(data.note).toBe(
      "Without an enabled POLL rule ClickSend lists no replies and no receipts and no voice receipts: create_automation_rule adds one per kind.",
    );
  });

  it("counts only enabled POLL rules, and shows what other rules do", async () => {
    rulesOf(fresh).inbound.push(
      inboundRule({ message_search_type: 2, message_search_term: "STOP" }),
      inboundRule({ action: "POLL", action_address: "poll", enabled: 0 }),
    );
    rulesOf(fresh).receipts.push(receiptRule({ action: "POLL", action_address: "poll" }));
    const { data } = await succeeded<Rules>(fresh, listAutomationRules, {});
    expect(data.polling).toEqual({ replies: false, receipts: true, voice_receipts: false });
    expect(data.inbound?.items[0]).toMatchObject({
      message_search_type: 2,
      message_search_term: "STOP",
      action: "EMAIL_USER",
      action_address: "owner@example.com",
      enabled: true,
    });
    expect(data.inbound?.items[1]).toMatchObject({ action: "POLL", enabled: false });
    expect(data.note).toContain("no replies and no voice receipts:");
  });

  it("finds a POLL rule beyond the first page", async () => {
    for (let i = 0; i < 100; i++) rulesOf(fresh).receipts.push(receiptRule());
    rulesOf(fresh).receipts.push(receiptRule({ action: "POLL", action_address: "poll" }));
    const before = fresh.sandbox.requests.length;
    const { data } = await succeeded<Rules>(fresh, listAutomationRules, { kind: "receipts" });
    expect(data.receipts?.total).toBe(101);
    expect(data.polling).toEqual({ receipts: true });
    expect(fresh.sandbox.requests.slice(before).map((r) => r.query.page)).toEqual([
      undefined,
      "1",
      "2",
    ]);
  });

  it("refuses an unknown kind without a request", async () => {
    await refused(h, listAutomationRules, { kind: "voice" }, "kind");
  });
});

describe("create_automation_rule", () => {
  it("creates the inbound POLL rule of §5, named, and replies appear", async () => {
    const sent = addSms(fresh.sandbox.state, { to: "+61491570156", body: "Confirm?" });
    expect(dataOf<{ items: unknown[] }>(await fresh.call(listInboundSms, {})).items).toEqual([]);

    const { data, request } = await succeeded(fresh, createAutomationRule, { kind: "inbound" });
    expect(request).toMatchObject({ method: "POST", path: "automations/sms/inbound" });
    expect(request.body).toEqual({
      dedicated_number: "*",
      message_search_type: 0,
      message_search_term: "",
      rule_name: "Poll replies (clicksend-mcp)",
      action: "POLL",
      action_address: "poll",
      enabled: 1,
    });
    expect(data).toEqual({
      created: {
        inbound_rule_id: expect.any(Number),
        rule_name: "Poll replies (clicksend-mcp)",
        dedicated_number: "*",
        action: "POLL",
        enabled: true,
      },
      note: "Replies can now be polled with list_inbound_sms; one that came earlier may show only in get_inbound_sms.",
    });
    const replies = dataOf<{ items: Array<Record<string, unknown>> }>(
      await fresh.call(listInboundSms, {}),
    );
    expect(replies.items.map((i) => i.original_message_id)).toEqual([sent.message_id]);
  });

  it("creates the receipts POLL rule of §5 with the name given, and receipts appear", async () => {
    const sent = addSms(fresh.sandbox.state, { to: "+61491570100", body: "Hello" });
    const { data, request } = await succeeded(fresh, createAutomationRule, {
      kind: "receipts",
      rule_name: "  Agent receipts ",
    });
    expect(request.body).toEqual({
      match_type: 0,
      rule_name: "Agent receipts",
      action: "POLL",
      action_address: "poll",
      enabled: 1,
    });
    expect(data.created).toMatchObject({ receipt_rule_id: expect.any(Number), enabled: true });
    const receipts = dataOf<{ items: Array<Record<string, unknown>> }>(
      await fresh.call(listDeliveryReceipts, {}),
    );
    expect(receipts.items.map((r) => r.message_id)).toContain(sent.message_id);
  });

  it("creates the voice receipts POLL rule at automations/voice/receipts, and voice receipts appear", async () => {
    const call = { to: "+61400777311", body: "Your code is 4, 2", voice: "female" as const };
    const sent = dataOf<{ queued: Array<{ message_id: string }> }>(
      await fresh.call(sendVoice, { messages: [call] }),
    );
    const id = sent.queued[0]?.message_id;
    // The finding: without the rule ClickSend lists no voice receipt, and the tool says how to fix it.
    const empty = dataOf<{ items: unknown[]; note?: string }>(
      await fresh.call(listVoiceReceipts, {}),
    );
    expect(empty.items).toEqual([]);
    expect(empty.note).toContain("create_automation_rule (kind voice_receipts)");

    const { data, request } = await succeeded(fresh, createAutomationRule, {
      kind: "voice_receipts",
    });
    expect(request).toMatchObject({ method: "POST", path: "automations/voice/receipts" });
    expect(request.body).toEqual({
      match_type: 0,
      rule_name: "Poll voice receipts (clicksend-mcp)",
      action: "POLL",
      action_address: "poll",
      enabled: 1,
    });
    expect(data.created).toMatchObject({ receipt_rule_id: expect.any(Number), enabled: true });
    const listed = dataOf<{ items: Array<{ message_id: string }>; note?: string }>(
      await fresh.call(listVoiceReceipts, {}),
    );
    expect(listed.items.map((r) => r.message_id)).toEqual([id]);
    expect(listed.note).toBeUndefined();
    const again = await succeeded(fresh, createAutomationRule, { kind: "voice_receipts" });
    expect(again.data).toMatchObject({ existing: { action: "POLL" } });
    expect(rulesOf(fresh).voice_receipts).toHaveLength(1);
  });

  it("creates nothing when an enabled POLL rule already covers it", async () => {
    const before = writes(h.sandbox).length;
    const { data, request } = await succeeded(h, createAutomationRule, { kind: "inbound" });
    expect(writes(h.sandbox).length).toBe(before);
    expect(request).toMatchObject({ method: "GET", path: "automations/sms/inbound" });
    expect(data).toMatchObject({
      existing: { rule_name: "Poll replies", action: "POLL" },
      note: "An enabled POLL rule already covers this, so nothing was created: replies can be polled.",
    });
  });

  it("creates a rule for all numbers when the only POLL rule covers one number, or is disabled", async () => {
    rulesOf(fresh).inbound.push(
      inboundRule({ action: "POLL", action_address: "poll", dedicated_number: "+61400000000" }),
      inboundRule({ action: "POLL", action_address: "poll", enabled: 0 }),
    );
    const { request } = await succeeded(fresh, createAutomationRule, { kind: "inbound" });
    expect(request).toMatchObject({ method: "POST", body: { dedicated_number: "*" } });
  });

  it("refuses a missing kind or an empty name without a request", async () => {
    await refused(h, createAutomationRule, {}, "kind");
    await refused(h, createAutomationRule, { kind: "receipts", rule_name: "  " }, "rule_name");
    await refused(h, createAutomationRule, { kind: "inbound", action: "URL" }, "action");
  });
});

describe("the sandbox's automation routes", () => {
  it("answers a rule without its required fields with 400 and a field map", async () => {
    const error = await h.client
      .post("automations/sms/receipts", { rule_name: "x", action: "PING" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect((error as ClickSendApiError).status).toBe(400);
    expect((error as ClickSendApiError).fieldErrors).toEqual({
      action: "Action is invalid.",
      action_address: "Action address field is required.",
      enabled: "Enabled field is required.",
      match_type: "Match type field is required.",
    });
  });

  it("gets, updates and deletes a rule by id; another account cannot see it", async () => {
    const rule = await h.client.post<InboundRule>("automations/sms/inbound", {
      dedicated_number: "+61491570156",
      rule_name: "Temporary",
      message_search_type: 1,
      message_search_term: "yes",
      action: "POLL",
      action_address: "poll",
      enabled: 1,
    });
    const at = `automations/sms/inbound/${rule.inbound_rule_id}`;
    expect(await h.client.get(at)).toEqual(rule);
    expect(await h.client.put(at, { enabled: 0 })).toMatchObject({
      enabled: 0,
      rule_name: "Temporary",
    });
    const other = await h.callAs("nocredit", listAutomationRules, { kind: "inbound" });
    expect(dataOf<Rules>(other).inbound?.total).toBe(0);
    await h.client.delete(at);
    await expect(h.client.get(at)).rejects.toMatchObject({ status: 404 });
  });
});

describe("create_automation_rule with public_base_url (the webhook)", () => {
  const SECRET = "a-webhook-secret-of-at-least-32-characters";
  const withSecret = (args: Record<string, unknown>, webhookSecret: string | null = SECRET) =>
    callTool(createAutomationRule, args, {
      ...contextFor(fresh.client, fresh.sending),
      ...(webhookSecret ? { webhookSecret } : {}),
    });

  it("creates a URL rule to the webhook, the secret appended and never shown", async () => {
    const base = "https://mcp.example.com/base/";
    const result = await withSecret({ kind: "inbound", public_base_url: base });
    const text = JSON.stringify(result);
    expect(result.isError).toBeFalsy();
    expect(text).not.toContain(SECRET);
    const rule = rulesOf(fresh).inbound[0];
    expect(rule).toMatchObject({
      action: "URL",
      action_address: `https://mcp.example.com/base/webhooks/clicksend/${SECRET}`,
      webhook_type: "json",
      dedicated_number: "*",
      enabled: 1,
    });
    expect(result.structuredContent).toMatchObject({
      created: {
        action: "URL",
        action_address: "https://mcp.example.com/base/webhooks/clicksend/<secret>",
      },
    });
    // Again: the same rule is found, nothing more is created; listing hides the secret too.
    const again = await withSecret({ kind: "inbound", public_base_url: base });
    expect(again.structuredContent).toMatchObject({ existing: { action: "URL" } });
    expect(rulesOf(fresh).inbound).toHaveLength(1);
    expect(JSON.stringify(await fresh.call(listAutomationRules, {}))).not.toContain(SECRET);

    const receipts = await withSecret({ kind: "receipts", public_base_url: base });
    expect(receipts.isError).toBeFalsy();
    expect(rulesOf(fresh).receipts[0]).toMatchObject({ action: "URL", match_type: 0 });
  });

  it("refuses without a secret, for plain http, and for voice receipts, creating nothing", async () => {
    const refusals = [
      await withSecret({ kind: "inbound", public_base_url: "https://mcp.example.com" }, null),
      await withSecret({ kind: "inbound", public_base_url: "http://mcp.example.com" }),
      await withSecret({ kind: "inbound", public_base_url: "not a url" }),
      await withSecret({ kind: "voice_receipts", public_base_url: "https://mcp.example.com" }),
    ];
    expect(refusals.map((r) => r.isError)).toEqual([true, true, true, true]);
    expect(JSON.stringify(refusals[0])).toContain("CLICKSEND_WEBHOOK_SECRET");
    expect(JSON.stringify(refusals)).not.toContain(SECRET);
    expect(rulesOf(fresh).inbound).toHaveLength(0);
  });
});
