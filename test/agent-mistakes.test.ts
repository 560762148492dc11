/**
 * Mistakes an agent makes with good intentions: a schedule in milliseconds, a repeat that
 * differs only in what nobody sees, a body of invisible characters, a bare search term, a long
 * sender ID. Each is refused naming the field and the rule before any request, or corrected
 * where the meaning is certain ("au" is AU), and the result says what happened.
 */
import { describe, expect, it } from "vitest";
import { ok } from "../sandbox/envelope.js";
import { isoMs, isoTime } from "../src/values.js";
import { listContacts } from "../tools/contacts.js";
import { listContactLists } from "../tools/lists.js";
import { sendMms } from "../tools/mms.js";
import { listSmsHistory, previewSms, sendSms } from "../tools/sms.js";
import { listTemplates } from "../tools/templates.js";
import { sendVoice } from "../tools/voice.js";
import { type Harness, lastRequest, sendRequests } from "./support/harness.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, refused, succeeded, textOf } from "./support/results.js";
import { addSms } from "./support/tool-args.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const setup = harnessPerTest();
const sends = (h: Harness) => sendRequests(h.sandbox);
/** The messages of the last request the sandbox received. */
const sentMessages = (h: Harness) =>
  (lastRequest(h)?.body as Loose | undefined)?.messages as Loose[];
const nowS = () => Math.floor(Date.now() / 1000);
const sms = (schedule: unknown) => ({
  messages: [{ to: "+61411111111", body: "Your appointment is tomorrow", schedule }],
});

describe("schedules", () => {
  it.each<[string, () => unknown, string, string]>([
    ["an hour ago", () => nowS() - 3600, "is in the past", "omit schedule to send now"],
    ["0", () => 0, "is in the past", "omit schedule to send now"],
    [
      "milliseconds (Date.now())",
      () => Date.now(),
      "looks like milliseconds (Date.now()); give Unix seconds: ",
      "",
    ],
    ["8.64e12", () => 8.64e12, "looks like milliseconds", "give Unix seconds: 8640000000"],
    [
      "121 days ahead",
      () => nowS() + 121 * 86_400,
      "is more than 120 days ahead",
      "ClickSend schedules at most 4 months ahead",
    ],
    [
      "an ISO date before 1970",
      () => "1969-12-31T23:59:59Z",
      "1969-12-31T23:59:59Z is before 1970-01-01",
      "",
    ],
    [
      "an ISO date without a zone",
      () => "2030-01-31T09:00:00",
      '"2030-01-31T09:00:00" has no time zone: add Z (UTC) or an offset like +10:00',
      "get_account shows the account's timezone",
    ],
    [
      "a date without a time",
      () => "2030-01-31",
      "must be Unix seconds or an ISO 8601 date-time like 2030-01-31T09:00:00+10:00",
      "",
    ],
  ])("refuses a schedule of %s, before any request", async (_what, schedule, why, next) => {
    const h = await setup();
    await refused(h, sendSms, sms(schedule()), `messages[0].schedule: `, why, next);
    await refused(h, previewSms, sms(schedule()), "messages[0].schedule: ");
  });

  it("sends a schedule up to a minute late at once, and one within the horizon as given", async () => {
    const h = await setup();
    const skewed = nowS() - 30;
    await succeeded(h, sendSms, sms(skewed));
    expect(sentMessages(h)[0]?.schedule).toBe(skewed);
    const later = nowS() + 119 * 86_400;
    const { data } = await succeeded(h, sendSms, sms(`${isoTime(later)?.slice(0, -1)}+00:00`));
    expect(sentMessages(h)[0]?.schedule).toBe(later);
    expect((data as Loose).queued[0].schedule).toBe(isoTime(later));
  });

  it("applies the same rules to MMS and voice schedules", async () => {
    const h = await setup();
    await refused(
      h,
      sendMms,
      {
        media_file: "https://example.com/a.jpg",
        messages: [{ to: "+61411111111", subject: "S", body: "b", schedule: Date.now() }],
      },
      "messages[0].schedule: ",
      "looks like milliseconds",
    );
    await refused(
      h,
      sendVoice,
      { messages: [{ to: "+61411111111", body: "b", voice: "male", schedule: 1 }] },
      "messages[0].schedule: ",
      "omit schedule to send now",
    );
  });

  it("refuses history dates in milliseconds or before 1970, but takes old dates", async () => {
    const h = await setup();
    await refused(h, listSmsHistory, { date_from: Date.now() }, "date_from: ", "milliseconds");
    await refused(h, listSmsHistory, { date_to: "1960-01-01T00:00:00Z" }, "date_to: ", "1970");
    await succeeded(h, listSmsHistory, { date_from: 1000 });
  });

  it("formats any time ClickSend sends without throwing", async () => {
    for (const value of [8.64e12 + 1, 1e300, -1e300, Number.NaN, "abc", "", null, 0]) {
      expect(() => isoTime(value)).not.toThrow();
    }
    expect(isoTime(8.64e12 + 1)).toBeUndefined();
    expect(isoTime(-1)).toBe("1969-12-31T23:59:59Z");
    expect(isoMs(Number.NaN)).toBe("NaN ms");
    expect(isoMs(1e20)).toBe("100000000000000000000 ms");

    const h = await setup();
    // ClickSend answers a send with a schedule no Date can hold: the result still arrives.
    const queued = {
      to: "+61411111111",
      status: "SUCCESS",
      message_id: "M1",
      date: 1,
      schedule: 8.64e12 + 1,
      message_parts: 1,
      message_price: "0.0792",
    };
    h.sandbox.faults.inject({
      path: "sms/send",
      fault: {
        type: "status",
        ...ok("Messages queued for delivery.", {
          messages: [queued],
          _currency: { currency_name_short: "AUD" },
        }),
      },
    });
    const { data } = await succeeded(h, sendSms, sms(undefined));
    expect(data).toMatchObject({ queued_count: 1, queued: [{ message_id: "M1" }] });
    // And history with such a time lists it.
    addSms(h.sandbox.state, {
      to: "+61411111111",
      body: "x",
      status: "Scheduled",
      schedule: 8.64e12 + 1,
    });
    const history = await succeeded(h, listSmsHistory, { q: "status:Scheduled" });
    expect((history.data as Loose).items).toHaveLength(1);
  });
});

describe("near-identical repeats", () => {
  const base = "Your code is 1234. Café closes at 5";

  it.each([
    ["a trailing space", `${base} `],
    ["a trailing newline", `${base}\n`],
    ["a zero-width space", base.replace("code", "co\u200bde")],
    ["an NBSP", base.replace("is 1234", "is\u00a01234")],
    ["NFD instead of NFC", base.normalize("NFD")],
    ["a case change", base.toUpperCase()],
    ["doubled spaces", base.replaceAll(" ", "  ")],
  ])("refuses a repeat with %s within the duplicate window", async (_what, variant) => {
    const h = await setup({ duplicateWindowS: 600 });
    expect(variant).not.toBe(base);
    await succeeded(h, sendSms, { messages: [{ to: "+61411111111", body: base }] });
    const repeat = await h.call(sendSms, { messages: [{ to: "+61 411 111 111", body: variant }] });
    expect(repeat.isError).toBe(true);
    expect(textOf(repeat)).toContain(
      "The same text (ignoring case, spacing and invisible characters) went to this recipient at",
    );
    expect(textOf(repeat)).toContain("Nothing was sent.");
    expect(sends(h)).toHaveLength(1);
  });

  it("refuses the same message twice in one call, unless allow_duplicate", async () => {
    const h = await setup();
    const twice = {
      messages: [
        { to: "+61411111111", body: "Meeting at 10" },
        { to: "+61422222222", body: "Meeting at 10" },
        { to: "0411 111 111", country: "AU", body: "meeting at 10 " },
      ],
    };
    await refused(
      h,
      sendSms,
      twice,
      "messages[2]: repeats messages[0] (the same recipient and text",
      "allow_duplicate: true",
    );
    // A preview takes no allow_duplicate: it warns about the repeat the send would refuse.
    const preview = dataOf<Loose>(await h.call(previewSms, twice));
    expect(preview.warnings.join(" ")).toContain("messages[2]: repeats messages[0]");
    expect(sendRequests(h.sandbox)).toHaveLength(0);
    const { data } = await succeeded(h, sendSms, { ...twice, allow_duplicate: true });
    expect(data.queued_count).toBe(3);
  });

  it("refuses a send to a superset of recipients, naming the overlap", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    await succeeded(h, sendSms, { messages: [{ to: "+61411111111", body: "Sale today" }] });
    const wider = {
      messages: ["+61411111111", "+61422222222", "+61433333333"].map((to) => ({
        to,
        body: "Sale today",
      })),
    };
    const text = await refused(
      h,
      sendSms,
      wider,
      "The same text (ignoring case, spacing and invisible characters) went to 1 of the 3 recipients (***111) at",
      "allow_duplicate: true, or leave those recipients out",
    );
    expect(text).not.toContain("+61411111111");
    expect(sends(h)).toHaveLength(1);
    // Without the one who had it, the others get it.
    await succeeded(h, sendSms, { messages: wider.messages.slice(1) });
    expect(sends(h)).toHaveLength(2);
    await succeeded(h, sendSms, { ...wider, allow_duplicate: true });
    expect(sends(h)).toHaveLength(3);
  });

  it("still sends a really different text to the same person", async () => {
    const h = await setup({ duplicateWindowS: 600 });
    await succeeded(h, sendSms, { messages: [{ to: "+61411111111", body: "Your code is 1234" }] });
    await succeeded(h, sendSms, { messages: [{ to: "+61411111111", body: "Your code is 1235" }] });
    expect(sends(h)).toHaveLength(2);
  });
});

describe("bodies that show nothing", () => {
  it.each([
    ["zero-width spaces", "\u200b\u200b"],
    ["an NBSP and a zero-width joiner", "\u00a0\u200d"],
    ["a Hangul filler", "\u3164"],
    ["a BOM and a newline", "\ufeff\n"],
    ["bidi marks", "\u200e\u202e\u202c"],
  ])("refuses a body of only %s, on every channel", async (_what, body) => {
    const h = await setup();
    await refused(
      h,
      sendSms,
      { messages: [{ to: "+61411111111", body }] },
      "messages[0].body: must not be empty: it has only invisible characters (U+",
    );
    await refused(
      h,
      sendVoice,
      { messages: [{ to: "+61411111111", body, voice: "female" }] },
      "messages[0].body: must not be empty",
    );
    await refused(
      h,
      sendMms,
      {
        media_file: "https://example.com/a.jpg",
        messages: [{ to: "+61411111111", subject: body, body: "Hi" }],
      },
      "messages[0].subject: must not be empty",
    );
  });

  it("sends a body with visible text among invisible characters as given", async () => {
    const h = await setup();
    await succeeded(h, sendSms, { messages: [{ to: "+61411111111", body: "\u200bHi\u200b" }] });
    expect(sentMessages(h)[0]?.body).toBe("\u200bHi\u200b");
  });
});

describe("search and sort", () => {
  const customers = (h: Harness) => h.sandbox.state.lists[0]?.list_id as number;

  it("ClickSend (the sandbox) ignores a bare q and lists everyone, the wrong person first", async () => {
    const h = await setup();
    const { username, apiKey } = h.sandbox.credentials;
    const auth = `Basic ${Buffer.from(`${username}:${apiKey}`).toString("base64")}`;
    const raw = (q: string) =>
      fetch(`${h.sandbox.baseUrl}/lists/${customers(h)}/contacts?q=${encodeURIComponent(q)}`, {
        headers: { authorization: auth },
      }).then(async (r) => ((await r.json()) as Loose).data.data as Loose[]);
    const bare = await raw("+61444444444");
    expect(bare.length).toBe(8);
    expect(bare[0]?.phone_number).toBe("+61411111111");
    expect((await raw("phone_number:+61444444444")).map((c) => c.first_name)).toEqual(["Tom"]);
  });

  it.each([
    ["+61444444444", "phone_number:+61444444444", ["Tom"]],
    ["+61 444 444 444", "phone_number:+61444444444", ["Tom"]],
    ["tom@example.com", "email:tom@example.com", ["Tom"]],
    ["First_Name:Ellen , email:example", "first_name:Ellen,email:example", ["Ellen"]],
    ["phone_number:+61 (444) 444-444", "phone_number:+61444444444", ["Tom"]],
  ])("list_contacts q %j is sent as %j and finds the right person", async (q, sent, names) => {
    const h = await setup();
    const { data, request } = await succeeded(h, listContacts, { list_id: customers(h), q });
    expect(request.query.q).toBe(sent);
    expect((data.items as Loose[]).map((c) => c.first_name)).toEqual(names);
  });

  it.each([
    ["0444444444", '"0444444444" alone is read as a phone number, which must be E.164'],
    ["Ellen", '"Ellen" is not a search: write field:value[,field2:value]'],
    ["nickname:Tom", 'unknown field "nickname"'],
    ["first_name:", "first_name has no value"],
    ["first_name:Tom,Nguyen", '"Nguyen" has no field'],
    ["  ", "must not be empty; omit q to list everything"],
  ])("list_contacts refuses q %j with the syntax and fields", async (q, why) => {
    const h = await setup();
    await refused(
      h,
      listContacts,
      { list_id: customers(h), q },
      `q: ${why}`,
      "Search as field:value[,field2:value]; fields: phone_number, email, first_name",
    );
  });

  it("checks order_by fields per tool and writes field:direction", async () => {
    const h = await setup();
    const { request } = await succeeded(h, listContacts, {
      list_id: customers(h),
      order_by: "FIRST_NAME : DESC",
    });
    expect(request.query.order_by).toBe("first_name:desc");
    expect(
      (await succeeded(h, listTemplates, { order_by: "template_name" })).request.query,
    ).toEqual({ order_by: "template_name:asc" });
    await refused(
      h,
      listContacts,
      { list_id: customers(h), order_by: "nickname:asc" },
      'order_by: unknown field "nickname". Sort as field:asc or field:desc; fields: contact_id',
    );
    // MMS history sorts on date_added; SMS history on date.
    await refused(h, listSmsHistory, { order_by: "date_added:desc" }, "order_by: unknown field");
    await refused(h, listTemplates, { order_by: "template_name:down" }, "order_by: ", "not a sort");
  });

  it("reads a bare term the way each tool documents it", async () => {
    const h = await setup();
    const lists = await succeeded(h, listContactLists, { q: "Staff" });
    expect(lists.request.query.q).toBe("list_name:Staff");
    expect((lists.data.items as Loose[]).map((l) => l.list_name)).toEqual(["Staff"]);
    await succeeded(h, sendSms, { messages: [{ to: "+61400999111", body: "Find me" }] });
    const history = await succeeded(h, listSmsHistory, { q: "+61 400 999 111" });
    expect(history.request.query.q).toBe("to:+61400999111");
    expect((history.data as Loose).total).toBe(1);
    await refused(h, listTemplates, { q: "Appointment" }, "q: ", "fields: template_id");
  });
});

describe("smaller ones", () => {
  it.each([
    ["MyCompanyName", "is not a sender ID: an alpha tag is 3 to 11 letters, digits or +"],
    ["My Shop", "without spaces"],
    ["AB", "3 to 11"],
    ["Shop!", "letters, digits or +"],
    ["+12", "a sender number has 3 to 15 digits"],
  ])("refuses the sender ID %j naming the rule", async (from, why) => {
    const h = await setup();
    await refused(
      h,
      sendSms,
      { messages: [{ to: "+61411111111", body: "x", from }] },
      `messages[0].from: `,
      why,
    );
  });

  it("sends an alpha tag as given and a number without its separators", async () => {
    const h = await setup();
    await succeeded(h, sendSms, {
      messages: [
        { to: "+61411111111", body: "a", from: "MyShop" },
        { to: "+61422222222", body: "b", from: "+61 400 123 456" },
        { to: "+61433333333", body: "c", from: "+14155552671234" },
      ],
    });
    const froms = sentMessages(h).map((m: Loose) => m.from);
    expect(froms).toEqual(["MyShop", "+61400123456", "+14155552671234"]);
  });

  it('upper-cases a country code: "au" is AU', async () => {
    const h = await setup();
    await succeeded(h, sendSms, {
      messages: [{ to: "0411 111 111", country: "au", body: "x" }],
    });
    expect(sentMessages(h)[0]).toMatchObject({
      to: "+61411111111",
      country: "AU",
    });
  });

  it("a test number's parts are the text's parts in a preview and in a send; the price says free", async () => {
    const h = await setup();
    const args = { messages: [{ to: "+61411111111", body: "a".repeat(161) }] };
    const preview = dataOf<Loose>(await h.call(previewSms, args));
    const sent = (await succeeded(h, sendSms, args)).data as Loose;
    expect(preview.messages[0]).toMatchObject({ parts: 2, price: 0 });
    expect(sent.queued[0]).toMatchObject({ parts: 2, price: 0 });
    expect(sent.total_price).toBe(0);
  });

  it("an empty page is page 1 of 1 with nothing more", async () => {
    const h = await setup();
    const empty = h.sandbox.state.createList("Empty");
    const { data } = await succeeded(h, listContacts, { list_id: empty.list_id });
    expect(data).toMatchObject({ items: [], page: 1, total: 0, last_page: 1, has_more: false });
  });
});
