import { describe, expect, it } from "vitest";
import { previewMms } from "../tools/mms.js";
import { previewSms, sendSms } from "../tools/sms.js";
import { previewVoice } from "../tools/voice.js";
import { type Harness, sendRequests } from "./support/harness.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, textOf } from "./support/results.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const setup = harnessPerTest();
const sends = (h: Harness) => sendRequests(h.sandbox);
const customersId = (h: Harness) => h.sandbox.state.lists[0]?.list_id as number;

describe("phone numbers", () => {
  it("normalises what people type before sending", async () => {
    const h = await setup();
    const result = await h.call(sendSms, {
      messages: [
        { to: "0411 111 111", country: "AU", body: "a" },
        { to: "+44 7777 777777", body: "b" },
        { to: "+1 (405) 555-5555", body: "c" },
      ],
    });
    expect(result.isError).toBeFalsy();
    const sent = sends(h)[0]?.body as { messages: Array<{ to: string }> };
    expect(sent.messages.map((m) => m.to)).toEqual([
      "+61411111111",
      "+447777777777",
      "+14055555555",
    ]);
  });

  it("refuses an impossible number, and one in no assigned range, naming it", async () => {
    const h = await setup();
    const bad = await h.call(sendSms, { messages: [{ to: "+61 4111", body: "x" }] });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain(
      'messages[0].to: "+61 4111" cannot be a phone number: it is too short',
    );
    // +1 555: the right length, no operator. Refused alike in a preview and a send; no "sent".
    for (const tool of [previewSms, sendSms]) {
      const odd = await h.call(tool, {
        messages: [{ to: "+1 555 123 4567", body: "x" }],
      });
      expect(odd.isError).toBe(true);
      expect(textOf(odd)).toContain(
        'messages[0].to: "+1 555 123 4567" is not a number in use: +15551234567 has the right length for +1',
      );
      expect(textOf(odd)).not.toMatch(/\bsent anyway/);
    }
    expect(h.sandbox.requests).toHaveLength(0);
  });
});

describe("previews", () => {
  it("quotes encoding, parts and price and sends nothing", async () => {
    const h = await setup();
    const balance = h.sandbox.state.users[0]?.balance;
    const result = await h.call(previewSms, {
      messages: [
        { to: "+61400123456", body: "a".repeat(161) },
        { to: "+61400123457", body: "Hi 😀" },
        { list_id: customersId(h), body: "Sale" },
      ],
    });
    expect(result.isError).toBeFalsy();
    const data = dataOf<Loose>(result);
    expect(data.preview).toContain("Nothing was sent.");
    expect(data.messages[0]).toMatchObject({
      to: "+61400123456",
      encoding: "GSM-7",
      parts: 2,
      price: 0.1584,
    });
    expect(data.messages[1]).toMatchObject({ encoding: "UCS-2", parts: 1, unicode_chars: ["😀"] });
    expect(data.messages[2]).toMatchObject({ list_id: customersId(h), recipients: 8, price: 0 });
    expect(data).toMatchObject({
      recipients: 10,
      would_queue: 10,
      total_price: 0.2376,
      currency: "AUD",
    });
    expect(sends(h)).toHaveLength(0);
    expect(h.sandbox.requests.map((r) => r.path)).toContain("sms/price");
    expect(h.sandbox.state.messages).toHaveLength(0);
    expect(h.sandbox.state.users[0]?.balance).toBe(balance);
  });

  it("warns about messages that would fail and bodies ClickSend would cut", async () => {
    const h = await setup();
    const voice = await h.call(previewVoice, {
      messages: [{ to: "+380502762716", body: "a".repeat(1200), voice: "female" }],
    });
    const warnings = dataOf<{ warnings: string[] }>(voice).warnings.join(" ");
    expect(warnings).toContain("would fail: COUNTRY_NOT_ENABLED");
    const mms = await h.call(previewMms, {
      media_file: "https://example.com/a.gif",
      messages: [{ to: "+61411111111", subject: "S", body: "ж".repeat(600) }],
    });
    expect(dataOf<{ warnings: string[] }>(mms).warnings.join(" ")).toContain(
      "over 500 UCS-2 characters",
    );
    expect(sends(h)).toHaveLength(0);
  });
});

describe("operator guards", () => {
  it("CLICKSEND_ALLOWED_RECIPIENTS refuses other numbers, also inside a list", async () => {
    const h = await setup({ allowedRecipients: ["+61*"] });
    const ok = await h.call(sendSms, { messages: [{ to: "+61411111111", body: "ok" }] });
    expect(ok.isError).toBeFalsy();
    const refused = await h.call(sendSms, { messages: [{ to: "+447777777777", body: "no" }] });
    expect(textOf(refused)).toContain("Refused by CLICKSEND_ALLOWED_RECIPIENTS (+61*)");
    expect(textOf(refused)).toContain("Nothing was sent.");
    const staff = h.sandbox.state.lists[1]?.list_id as number;
    const list = await h.call(sendSms, { messages: [{ list_id: staff, body: "no" }] });
    expect(textOf(list)).toContain(`list ${staff} has 4 recipients`);
    expect(sends(h)).toHaveLength(1);
  });

  it("CLICKSEND_MAX_RECIPIENTS_PER_CALL counts a list as its size", async () => {
    const h = await setup({ maxRecipientsPerCall: 5 });
    const result = await h.call(sendSms, { messages: [{ list_id: customersId(h), body: "x" }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      `Refused by CLICKSEND_MAX_RECIPIENTS_PER_CALL: the limit is 5 recipients per call and this call has 8 (list ${customersId(h)} has 8 recipients)`,
    );
    expect(sends(h)).toHaveLength(0);
  });

  it("CLICKSEND_DAILY_MESSAGE_LIMIT counts what this server sent", async () => {
    const h = await setup({ dailyMessageLimit: 3 });
    const two = ["+61411111111", "+61422222222"].map((to) => ({ to, body: "one" }));
    expect((await h.call(sendSms, { messages: two })).isError).toBeFalsy();
    const refused = await h.call(sendSms, { messages: two.map((m) => ({ ...m, body: "two" })) });
    expect(textOf(refused)).toContain(
      "Refused by CLICKSEND_DAILY_MESSAGE_LIMIT: the limit is 3 messages per 24 hours, 2 were sent in the last 24 hours and this call has 2",
    );
    expect(sends(h)).toHaveLength(1);
  });
});

describe("no duplicate sends", () => {
  const message = { messages: [{ to: "+61411111111", body: "Your code is 1234" }] };

  it("an idempotency_key repeat returns the first result and sends nothing", async () => {
    const h = await setup();
    const first = await h.call(sendSms, { ...message, idempotency_key: "order-77" });
    const again = await h.call(sendSms, { ...message, idempotency_key: "order-77" });
    expect(sends(h)).toHaveLength(1);
    const firstData = dataOf<Loose>(first);
    const againData = dataOf<Loose>(again);
    // The kept result holds no full number: the store never keeps one.
    expect(againData.queued).toEqual(
      firstData.queued.map((m: Loose) => ({ ...m, to: `***${m.to.slice(-3)}` })),
    );
    expect(againData.tag).toBe(firstData.tag);
    expect(againData.replayed).toContain("nothing was sent again");
  });

  it("refuses an identical send within the window, and allow_duplicate overrides", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    expect((await h.call(sendSms, message)).isError).toBeFalsy();
    const repeat = await h.call(sendSms, message);
    expect(repeat.isError).toBe(true);
    expect(textOf(repeat)).toContain(
      "The same text (ignoring case, spacing and invisible characters) went to this recipient at",
    );
    expect(textOf(repeat)).toContain("allow_duplicate: true");
    expect(sends(h)).toHaveLength(1);
    const forced = await h.call(sendSms, { ...message, allow_duplicate: true });
    expect(forced.isError).toBeFalsy();
    expect(sends(h)).toHaveLength(2);
  });

  it("does not hold a send that never left against a retry", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "status", status: 400 } });
    const refused = await h.call(sendSms, message);
    expect(textOf(refused)).toContain("Nothing was sent or changed.");
    expect((await h.call(sendSms, message)).isError).toBeFalsy();
  });
});

describe("ambiguous outcomes", () => {
  it("a connection dropped after the request was written is reported as possibly delivered, not retried", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "drop_after" } });
    const result = await h.call(sendSms, message());
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain("may already have been delivered: it was not retried");
    const tag = /call get_send_status with tag (mcp-[0-9a-f]{8})/.exec(text)?.[1];
    expect(tag).toBeDefined();
    expect(sends(h)).toHaveLength(1);
    expect(h.sandbox.state.messages.map((m) => m.custom_string)).toEqual([tag]);
    // A blind retry is held back by the duplicate window.
    const retry = await h.call(sendSms, message());
    expect(textOf(retry)).toContain(`custom_string ${tag}`);
    expect(sends(h)).toHaveLength(1);
  });

  it.each([
    ["no data", null],
    ["no messages", {}],
    ["messages that are not a list", { messages: "queued" }],
    ["a message that is not an object", { messages: [null] }],
  ])("a SUCCESS with %s may have been sent: the reservation holds the retry", async (_, data) => {
    const h = await setup({ duplicateWindowS: 600 });
    const body = { http_code: 200, response_code: "SUCCESS", response_msg: "Queued.", data };
    h.sandbox.faults.inject({ path: "sms/send", fault: { type: "status", status: 200, body } });
    const result = await h.call(sendSms, message());
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain("SUCCESS but no list of messages");
    expect(text).toContain("may already have been delivered: it was not retried");
    expect(text).not.toContain("Nothing was sent");
    const tag = /get_send_status with tag (mcp-[0-9a-f]{8})/.exec(text)?.[1];
    expect(tag).toBeDefined();
    const retry = await h.call(sendSms, message());
    expect(textOf(retry)).toContain(`custom_string ${tag}`);
    expect(sends(h)).toHaveLength(1);
  });

  it("a refused connection says nothing was sent", async () => {
    const h = await setup();
    await h.sandbox.close();
    const result = await h.call(sendSms, message());
    expect(textOf(result)).toContain("Nothing was sent or changed.");
  });

  function message() {
    return { messages: [{ to: "+61411111111", body: "Appointment at 10" }] };
  }
});

describe("idempotency keys", () => {
  it("refuses a key reused for a different send", async () => {
    const h = await setup();
    await h.call(sendSms, {
      idempotency_key: "k1",
      messages: [{ to: "+61411111111", body: "Meeting at 10" }],
    });
    const other = await h.call(sendSms, {
      idempotency_key: "k1",
      messages: [{ to: "+61422222222", body: "Totally different" }],
    });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toContain('idempotency_key: "k1" was already used');
    expect(textOf(other)).toContain("for a different send");
    expect(sends(h)).toHaveLength(1);
  });
});
