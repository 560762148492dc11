import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSmsHistory, sendSms } from "../tools/sms.js";
import { balanceOf, type Harness, harness, lastRequest, writes } from "./support/harness.js";
import { dataOf, refused, textOf } from "./support/results.js";

interface SendResult {
  queued_count: number;
  failed_count: number;
  total_price: number;
  currency: string;
  failures?: Array<Record<string, unknown>>;
  queued?: Array<Record<string, unknown>>;
  error?: string;
}

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** A time some days ahead, whole seconds, as Unix seconds and as ISO 8601 UTC. */
const inDays = (days: number) => {
  const at = Math.floor(Date.now() / 1000) + days * 86_400;
  return { at, iso: new Date(at * 1000).toISOString().replace(".000Z", "Z") };
};

const customers = () => {
  const list = h.sandbox.state.lists.find((l) => l.list_name === "Customers");
  if (!list) throw new Error("seed list missing");
  return list.list_id;
};

describe("send_sms", () => {
  it("sends, charges real numbers only, and never echoes the body", async () => {
    const before = balanceOf(h);
    const result = await h.call(sendSms, {
      messages: [
        { to: "+61411111111", body: "Test number, free", custom_string: "order-1" },
        { to: "+61400123456", body: "Your order has shipped", from: "MyShop" },
      ],
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest(h)).toMatchObject({
      method: "POST",
      path: "sms/send",
      body: {
        messages: [
          {
            to: "+61411111111",
            body: "Test number, free",
            custom_string: "order-1",
            source: "clicksend-mcp",
          },
          {
            to: "+61400123456",
            body: "Your order has shipped",
            from: "MyShop",
            source: "clicksend-mcp",
          },
        ],
      },
    });
    const data = dataOf<SendResult>(result);
    expect(data).toMatchObject({
      queued_count: 2,
      failed_count: 0,
      total_price: 0.0792,
      currency: "AUD",
    });
    expect(data.failures).toBeUndefined();
    expect(data.queued).toEqual([
      {
        to: "+61411111111",
        status: "SUCCESS",
        message_id: expect.stringMatching(/^[0-9A-F-]{36}$/),
        // ClickSend says 0 parts for a test number; the result says the text's parts, as a
        // preview does, and the price says it was free.
        parts: 1,
        price: 0,
      },
      {
        to: "+61400123456",
        status: "SUCCESS",
        message_id: expect.any(String),
        parts: 1,
        price: 0.0792,
      },
    ]);
    const text = textOf(result);
    expect(text).not.toContain("shipped");
    expect(text).not.toContain("null");
    expect(text).not.toContain("_currency");
    expect(balanceOf(h)).toBeCloseTo(before - 0.0792, 6);
  });

  it("keeps a caller's source and sends an ISO schedule as Unix seconds", async () => {
    const { at, iso } = inDays(30);
    const result = await h.call(sendSms, {
      messages: [
        {
          to: "+61400123457",
          body: "Reminder",
          schedule: iso.replace("Z", "+00:00"),
          source: "crm",
        },
      ],
    });
    expect(lastRequest(h)?.body).toEqual({
      messages: [
        {
          to: "+61400123457",
          body: "Reminder",
          schedule: at,
          source: "crm",
          custom_string: dataOf<{ tag: string }>(result).tag,
        },
      ],
    });
    expect(dataOf<{ tag: string }>(result).tag).toMatch(/^mcp-[0-9a-f]{8}$/);
    expect(dataOf<SendResult>(result).queued?.[0]).toMatchObject({ schedule: iso });
  });

  it("prices by parts: 161 GSM characters or 71 Unicode characters are two parts", async () => {
    const result = await h.call(sendSms, {
      messages: [
        { to: "+61400123458", body: "a".repeat(161) },
        { to: "+61400123459", body: "я".repeat(71) },
        { to: "+61400123460", body: "€".repeat(80) },
      ],
    });
    expect(dataOf<SendResult>(result).queued?.map((m) => m.parts)).toEqual([2, 2, 1]);
    expect(dataOf<SendResult>(result).total_price).toBe(0.396);
  });

  it("expands a list_id to one message per contact with a phone number", async () => {
    const list_id = customers();
    const result = await h.call(sendSms, { messages: [{ list_id, body: "Sale today" }] });
    expect(lastRequest(h)?.body).toEqual({
      messages: [
        {
          list_id,
          body: "Sale today",
          source: "clicksend-mcp",
          custom_string: dataOf<{ tag: string }>(result).tag,
        },
      ],
    });
    const queued = dataOf<SendResult>(result).queued ?? [];
    expect(queued).toHaveLength(8);
    for (const m of queued) {
      expect(m).toMatchObject({ list_id, contact_id: expect.any(Number), to: expect.any(String) });
    }
  });

  it("lists failures first, in plain words, when some messages fail", async () => {
    // A number in no assigned range is refused before sending; one stored in a list reaches
    // ClickSend, which answers INVALID_RECIPIENT.
    const odd = h.sandbox.state.createList("Odd numbers");
    h.sandbox.state.createContact(odd.list_id, { phone_number: "+44123123123" });
    const result = await h.call(sendSms, {
      messages: [
        { to: "+61411111111", body: "ok" },
        { to: "+380502762716", body: "blocked" },
        { list_id: odd.list_id, body: "invalid" },
      ],
    });
    expect(result.isError).toBeFalsy();
    const data = dataOf<SendResult>(result);
    expect(data).toMatchObject({ queued_count: 1, failed_count: 2 });
    expect(Object.keys(data).indexOf("failures")).toBeLessThan(Object.keys(data).indexOf("queued"));
    const text = textOf(result);
    expect(text.indexOf('"failures":')).toBeGreaterThan(0);
    expect(text.indexOf('"failures":')).toBeLessThan(text.indexOf('"queued":'));
    expect(data.failures).toEqual([
      {
        to: "+380502762716",
        status: "COUNTRY_NOT_ENABLED",
        reason: expect.stringContaining("country is not enabled"),
        message_id: expect.any(String),
      },
      {
        to: "+44123123123",
        list_id: odd.list_id,
        status: "INVALID_RECIPIENT",
        reason: "not a valid number for its country",
        message_id: expect.any(String),
      },
    ]);
  });

  it("is an error saying nothing was sent when every message fails", async () => {
    const result = await h.call(sendSms, {
      messages: [
        { to: "+380502762716", body: "a" },
        { to: "+5511987654321", body: "b" },
      ],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("All 2 messages failed");
    expect(textOf(result)).toContain("Nothing was sent");
    expect(dataOf<SendResult>(result)).toMatchObject({
      queued_count: 0,
      failed_count: 2,
      failures: [{ status: "COUNTRY_NOT_ENABLED" }, { status: "COUNTRY_NOT_ENABLED" }],
    });
  });

  it("explains INSUFFICIENT_CREDIT for an account with no credit", async () => {
    const result = await h.callAs("nocredit", sendSms, {
      messages: [{ to: "+61400123461", body: "hi" }],
    });
    expect(result.isError).toBe(true);
    expect(lastRequest(h)).toMatchObject({ path: "sms/send", user: "nocredit" });
    expect(textOf(result)).toContain("The message failed");
    expect(dataOf<SendResult>(result).failures?.[0]).toMatchObject({
      status: "INSUFFICIENT_CREDIT",
      reason: expect.stringContaining("not enough credit"),
    });
  });

  it("says so when the lists have no contacts with a phone number", async () => {
    const empty = h.sandbox.state.createList("Empty");
    const result = await h.call(sendSms, { messages: [{ list_id: empty.list_id, body: "hi" }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("no contacts with a phone number");
  });

  it("explains a list that is not the account's, read before anything is sent", async () => {
    // The list is read to leave out members on the opt-out list; without one, see opt-outs.test.ts.
    const before = writes(h.sandbox).length;
    const result = await h.call(sendSms, { messages: [{ list_id: 999, body: "hi" }] });
    expect(result.isError).toBe(true);
    expect(lastRequest(h)).toMatchObject({ method: "GET", path: "lists/999/contacts" });
    expect(textOf(result)).toContain("The list does not exist or is not yours");
    expect(textOf(result)).toContain("list_contact_lists");
    expect(textOf(result)).toContain("Nothing was sent");
    expect(writes(h.sandbox).length).toBe(before);
  });

  it("treats a number whose country the sandbox does not know as not enabled", async () => {
    const result = await h.call(sendSms, { messages: [{ to: "+81312345678", body: "hi" }] });
    expect(dataOf<SendResult>(result).failures?.[0]?.status).toBe("COUNTRY_NOT_ENABLED");
  });

  it("passes on ClickSend's refusal when lists expand past 1000 recipients", async () => {
    const big = h.sandbox.state.createList("Big");
    for (let i = 0; i < 1000; i++) {
      h.sandbox.state.createContact(big.list_id, { phone_number: "+61411111111" });
    }
    const result = await h.call(sendSms, {
      messages: [
        { list_id: big.list_id, body: "hi" },
        { to: "+61422222222", body: "hi" },
      ],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("HTTP 400");
    expect(textOf(result)).toContain("1001 recipients");
    expect(h.sandbox.state.messages.some((m) => m.list_id === big.list_id)).toBe(false);
  });

  it("is never retried: a failed POST reaches ClickSend once", async () => {
    h.sandbox.faults.inject({ path: "sms/send", times: 3, fault: { type: "status", status: 503 } });
    const before = writes(h.sandbox).length;
    const result = await h.call(sendSms, { messages: [{ to: "+61411111111", body: "once" }] });
    h.sandbox.faults.clear();
    expect(result.isError).toBe(true);
    expect(writes(h.sandbox).length).toBe(before + 1);
    expect(textOf(result)).toContain("may already have been delivered: it was not retried");
    expect(textOf(result)).toMatch(/call get_send_status with tag mcp-[0-9a-f]{8}\.$/);
  });

  it.each([
    ["a missing body", [{ to: "+61411111111" }], "messages[0].body"],
    ["a blank body", [{ to: "+61411111111", body: "  " }], "messages[0].body: must not be empty"],
    [
      "both to and list_id",
      [{ to: "+61411111111", list_id: 5, body: "x" }],
      "messages[0].list_id: give either to or list_id, not both",
    ],
    ["neither to nor list_id", [{ body: "x" }], "messages[0].to: required"],
    [
      "a local number without a country",
      [{ to: "0411111111", body: "x" }],
      'messages[0].to: "0411111111" cannot be a phone number: it has no country code',
    ],
    ["list_id 0", [{ list_id: 0, body: "x" }], "messages[0].list_id"],
    ["a fractional list_id", [{ list_id: 1.5, body: "x" }], "messages[0].list_id"],
    [
      "a misspelt field",
      [{ to: "+61411111111", body: "x", shedule: 1 }],
      "unknown field shedule in messages[0]",
    ],
    [
      "a bad schedule",
      [{ to: "+61411111111", body: "x", schedule: "tomorrow" }],
      "messages[0].schedule",
    ],
    [
      "a country that is not a code",
      [{ to: "+61411111111", body: "x", country: "Australia" }],
      "messages[0].country: must be an ISO 3166-1 alpha-2 code",
    ],
    ["no messages", [], "messages: must have at least 1 message"],
    [
      "1001 messages",
      Array.from({ length: 1001 }, () => ({ to: "+61411111111", body: "x" })),
      "messages: must have at most 1000 messages",
    ],
  ])("refuses %s without a request", async (_what, messages, fragment) => {
    await refused(h, sendSms, { messages }, fragment);
  });
});

describe("list_sms_history", () => {
  it("shows a sent message with its status and price, and its text only when asked, passing filters through", async () => {
    const send = await h.call(sendSms, {
      messages: [{ to: "+61400999888", body: "History check", custom_string: "hist-1" }],
    });
    const id = dataOf<SendResult>(send).queued?.[0]?.message_id;
    const result = await h.call(listSmsHistory, {
      date_from: "2020-01-01T00:00:00Z",
      q: "to:+61400999888",
      order_by: "date:desc",
      limit: 20,
      include_body: true,
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest(h)).toMatchObject({
      method: "GET",
      path: "sms/history",
      query: { date_from: "1577836800", q: "to:+61400999888", order_by: "date:desc", limit: "20" },
    });
    expect(lastRequest(h)?.query).not.toHaveProperty("include_body");
    const data = dataOf<{ items: Array<Record<string, unknown>>; total: number }>(result);
    expect(data.total).toBe(1);
    expect(data.items[0]).toEqual({
      message_id: id,
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      to: "+61400999888",
      from: "+61447254068",
      body: "«History check»",
      status: "Sent",
      status_code: 201,
      parts: 1,
      price: 0.0792,
      custom_string: "hist-1",
    });
    expect(textOf(result)).not.toContain("null");
    const private_ = await h.call(listSmsHistory, { q: "to:+61400999888" });
    expect(textOf(private_)).not.toContain("History check");
  });

  it("shows a scheduled message as Scheduled with its time", async () => {
    const { at, iso } = inDays(7);
    await h.call(sendSms, {
      messages: [{ to: "+61400999777", body: "Later", schedule: at }],
    });
    const result = await h.call(listSmsHistory, { q: "status:Scheduled" });
    expect(dataOf<{ items: unknown[] }>(result).items).toContainEqual(
      expect.objectContaining({
        to: "+61400999777",
        status: "Scheduled",
        schedule: iso,
      }),
    );
  });

  it("filters by date_to", async () => {
    const result = await h.call(listSmsHistory, { date_to: 1000 });
    expect(dataOf(result)).toMatchObject({ items: [], total: 0, has_more: false });
    expect(lastRequest(h)?.query).toEqual({ date_to: "1000" });
  });

  it.each([
    ["limit out of range", { limit: 500 }, "limit"],
    [
      "date_to before date_from",
      { date_from: 2000, date_to: 1000 },
      "date_to: must not be before date_from",
    ],
    ["an unknown field", { status: "Sent" }, "unknown field status"],
  ])("refuses %s without a request", async (_what, args, fragment) => {
    await refused(h, listSmsHistory, args, fragment);
  });
});
