/**
 * Sends and the account's opt-out list (people who replied "Stop"): numbers in to and list
 * members on it are left out and counted (CLICKSEND_SKIP_OPTED_OUT, on by default) or, with the
 * setting off, sent to with a warning. The sandbox seeds "Newsletter" with one member who is also
 * on "Opt Out".
 */
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../sandbox/server.js";
import { memoryEngine } from "../src/state/memory.js";
import { SendStore } from "../src/state/store.js";
import { previewSms, sendSms } from "../tools/sms.js";
import { previewVoice } from "../tools/voice.js";
import type { Harness } from "./support/harness.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, textOf } from "./support/results.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const OPTED_OUT = "+61400555123";

const setup = harnessPerTest();

function listId(h: Harness, name: string): number {
  const list = h.sandbox.state.lists.find((l) => l.list_name === name);
  if (!list) throw new Error(`no seeded list ${name}`);
  return list.list_id;
}

/** A call's result and the requests the sandbox received while it ran. */
async function requestsOf<T>(h: Harness, call: () => Promise<T>) {
  const before = h.sandbox.requests.length;
  const result = await call();
  return { result, requests: h.sandbox.requests.slice(before) };
}

const route = (r: RequestRecord) => `${r.method} ${r.path}`;
const numbersIn = (r: RequestRecord | undefined) =>
  (r?.body as { messages?: Array<{ to?: string; list_id?: number }> } | undefined)?.messages ?? [];

describe("a list send with members on the opt-out list", () => {
  it("leaves them out by default, counts them and says how to clean the list", async () => {
    const h = await setup();
    const newsletter = listId(h, "Newsletter");
    const optOut = listId(h, "Opt Out");
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, { messages: [{ list_id: newsletter, body: "December news" }] }),
    );
    expect(requests.map(route)).toEqual([
      "GET lists",
      `GET lists/${optOut}/contacts`,
      `GET lists/${newsletter}/contacts`,
      "POST sms/send",
    ]);
    expect(requests[0]?.query).toMatchObject({ q: "list_name:Opt Out" });
    const sent = numbersIn(requests.at(-1));
    expect(sent.map((m) => m.to)).toEqual(["+61400555121", "+61400555122"]);
    expect(sent.every((m) => m.list_id === undefined)).toBe(true);

    const data = dataOf<Loose>(result);
    expect(data).toMatchObject({ queued_count: 2, opted_out_left_out: 1 });
    expect(data.warnings).toEqual([
      `List ${newsletter}: 1 member is on the opt-out list (list ${optOut}), left out (the list goes as numbers: ClickSend fills no per-contact tags). Clean the list with delete_opted_out_contacts.`,
    ]);
    expect(h.sandbox.state.messages.map((m) => m.to)).not.toContain(OPTED_OUT);
  });

  it("the preview says the same and quotes only the members who would be sent to", async () => {
    const h = await setup();
    const newsletter = listId(h, "Newsletter");
    const { result, requests } = await requestsOf(h, () =>
      h.call(previewVoice, {
        messages: [{ list_id: newsletter, body: "News", voice: "female" }],
      }),
    );
    expect(requests.map(route).at(-1)).toBe("POST voice/price");
    expect(numbersIn(requests.at(-1)).map((m) => m.to)).not.toContain(OPTED_OUT);
    const data = dataOf<Loose>(result);
    expect(data).toMatchObject({
      preview: expect.stringContaining("Nothing was sent."),
      recipients: 2,
      opted_out_left_out: 1,
    });
    expect(data.warnings.join(" ")).toContain("1 member is on the opt-out list");
    expect(h.sandbox.state.messages).toHaveLength(0);
  });

  it("with CLICKSEND_SKIP_OPTED_OUT off, sends the list as it is and only warns", async () => {
    const h = await setup({ skipOptedOut: false });
    const newsletter = listId(h, "Newsletter");
    const optOut = listId(h, "Opt Out");
    const preview = await h.call(previewSms, {
      messages: [{ list_id: newsletter, body: "News" }],
    });
    expect(dataOf<Loose>(preview).warnings.join(" ")).toContain(
      "included (CLICKSEND_SKIP_OPTED_OUT is off)",
    );
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, { messages: [{ list_id: newsletter, body: "News" }] }),
    );
    expect(numbersIn(requests.at(-1))).toEqual([
      expect.objectContaining({ list_id: newsletter, body: "News" }),
    ]);
    const data = dataOf<Loose>(result);
    expect(data.queued_count).toBe(3);
    expect(data).not.toHaveProperty("opted_out_left_out");
    expect(data.warnings).toEqual([
      `List ${newsletter}: 1 member is on the opt-out list (list ${optOut}), included (CLICKSEND_SKIP_OPTED_OUT is off). Clean the list with delete_opted_out_contacts.`,
    ]);
    expect(h.sandbox.state.messages.map((m) => m.to)).toContain(OPTED_OUT);
  });

  it("counts what is left against the operator's guards", async () => {
    const h = await setup({ maxRecipientsPerCall: 2 });
    const result = await h.call(sendSms, {
      messages: [{ list_id: listId(h, "Newsletter"), body: "News" }],
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(dataOf<Loose>(result)).toMatchObject({ queued_count: 2, opted_out_left_out: 1 });
  });

  it("matches members stored as national numbers, read with their country", async () => {
    const h = await setup();
    const optOut = listId(h, "Opt Out");
    h.sandbox.state.createContact(optOut, { phone_number: "0400 555 121", address_country: "AU" });
    const result = await h.call(sendSms, {
      messages: [{ list_id: listId(h, "Newsletter"), body: "News" }],
    });
    expect(dataOf<Loose>(result)).toMatchObject({ queued_count: 1, opted_out_left_out: 2 });
  });

  it("refuses a send whose every list member opted out, sending nothing", async () => {
    const h = await setup();
    const optOut = listId(h, "Opt Out");
    const result = await h.call(sendSms, { messages: [{ list_id: optOut, body: "Hi" }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `Refused by CLICKSEND_SKIP_OPTED_OUT: every member with a number of list ${optOut} is on the opt-out list. Nothing was sent.`,
    );
    expect(h.sandbox.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});

describe("sends the opt-out list does not concern", () => {
  it("a list without opted-out members still goes as list_id, with no warning", async () => {
    const h = await setup();
    const staff = listId(h, "Staff");
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, { messages: [{ list_id: staff, body: "Meeting at 3" }] }),
    );
    expect(numbersIn(requests.at(-1))).toEqual([expect.objectContaining({ list_id: staff })]);
    const data = dataOf<Loose>(result);
    expect(data.queued_count).toBe(4);
    expect(data).not.toHaveProperty("warnings");
    expect(data).not.toHaveProperty("lists_expanded");
  });

  it("without an Opt Out list, a list goes as list_id after the lookup, and ClickSend's refusal of a foreign list is explained", async () => {
    const h = await setup();
    const optOut = h.sandbox.state.lists.find((l) => l.list_name === "Opt Out");
    if (optOut) optOut.list_name = "Old stops";
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, { messages: [{ list_id: 999, body: "hi" }] }),
    );
    expect(requests.map(route)).toEqual(["GET lists", "GET lists", "POST sms/send"]);
    expect(dataOf<Loose>(result).failures).toEqual([
      {
        list_id: 999,
        status: "NOT_ENOUGH_PERMISSION_TO_LIST_ID",
        reason: expect.stringContaining("list_contact_lists"),
        message_id: expect.any(String),
      },
    ]);
  });
});

describe("a to number on the opt-out list", () => {
  const other = "+61411111111";

  it("is left out and counted; the warning names it masked and the rule", async () => {
    const h = await setup();
    const optOut = listId(h, "Opt Out");
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, {
        messages: [
          { to: "0400 555 123", country: "AU", body: "Your order shipped" },
          { to: other, body: "Your order shipped" },
        ],
      }),
    );
    expect(requests.map(route)).toEqual([
      "GET lists",
      `GET lists/${optOut}/contacts`,
      "POST sms/send",
    ]);
    expect(numbersIn(requests.at(-1)).map((m) => m.to)).toEqual([other]);
    const data = dataOf<Loose>(result);
    expect(data).toMatchObject({ queued_count: 1, opted_out_left_out: 1 });
    expect(data.warnings).toEqual([
      `1 number in to (***123) is on the opt-out list (list ${optOut}), left out by CLICKSEND_SKIP_OPTED_OUT.`,
    ]);
    expect(textOf(result)).not.toContain(OPTED_OUT);
    expect(h.sandbox.state.messages.map((m) => m.to)).toEqual([other]);
  });

  it("the preview shows the same and quotes only the number that would be sent to", async () => {
    const h = await setup();
    const { result, requests } = await requestsOf(h, () =>
      h.call(previewSms, {
        messages: [
          { to: OPTED_OUT, body: "Hi" },
          { to: other, body: "Hi" },
        ],
      }),
    );
    expect(route(requests.at(-1) as RequestRecord)).toBe("POST sms/price");
    expect(numbersIn(requests.at(-1)).map((m) => m.to)).toEqual([other]);
    const data = dataOf<Loose>(result);
    expect(data).toMatchObject({ recipients: 1, opted_out_left_out: 1 });
    expect(data.warnings.join(" ")).toContain("1 number in to (***123) is on the opt-out list");
    expect(h.sandbox.state.messages).toHaveLength(0);
  });

  it("alone, refuses the send naming the rule, and nothing is posted", async () => {
    const h = await setup();
    const result = await h.call(sendSms, { messages: [{ to: OPTED_OUT, body: "Hi" }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Refused by CLICKSEND_SKIP_OPTED_OUT: every recipient opted out \(\*\*\*123 is on the opt-out list \(list \d+\)\)\. .*Nothing was sent\.$/,
    );
    expect(h.sandbox.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("with CLICKSEND_SKIP_OPTED_OUT off, is sent to with a warning", async () => {
    const h = await setup({ skipOptedOut: false });
    const result = await h.call(sendSms, { messages: [{ to: OPTED_OUT, body: "Hi" }] });
    const data = dataOf<Loose>(result);
    expect(data.queued_count).toBe(1);
    expect(data).not.toHaveProperty("opted_out_left_out");
    expect(data.warnings).toEqual([
      expect.stringMatching(
        /^1 number in to \(\*\*\*123\) is on the opt-out list \(list \d+\), included \(CLICKSEND_SKIP_OPTED_OUT is off\)/,
      ),
    ]);
    expect(h.sandbox.state.messages.map((m) => m.to)).toEqual([OPTED_OUT]);
  });

  it("is read once a minute per account: a burst of sends shares one read", async () => {
    let now = Date.parse("2026-12-01T10:00:00Z");
    const h = await setup({}, new SendStore(memoryEngine(), () => now, "acct"));
    const optOut = listId(h, "Opt Out");
    const reads = () =>
      h.sandbox.requests.filter((r) => r.path === `lists/${optOut}/contacts`).length;
    const send = (body: string) => h.call(sendSms, { messages: [{ to: other, body }] });
    await Promise.all([send("a"), send("b"), send("c")]);
    expect(reads()).toBe(1);
    // Someone joins the list: seen once the minute is up, not before.
    h.sandbox.state.createContact(optOut, { phone_number: other });
    now += 59_999;
    expect((await send("d")).isError).toBeFalsy();
    expect(reads()).toBe(1);
    now += 1;
    expect(textOf(await send("e"))).toContain("Refused by CLICKSEND_SKIP_OPTED_OUT");
    expect(reads()).toBe(2);
  });

  it("a send to a list and numbers reads the opt-out list once", async () => {
    const h = await setup();
    const optOut = listId(h, "Opt Out");
    await h.call(sendSms, {
      messages: [
        { list_id: listId(h, "Newsletter"), body: "News" },
        { to: OPTED_OUT, body: "News" },
      ],
    });
    expect(h.sandbox.requests.filter((r) => r.path === `lists/${optOut}/contacts`)).toHaveLength(1);
  });

  it("an opt-out list longer than a send reads refuses the send instead of guessing", async () => {
    const h = await setup();
    const optOut = listId(h, "Opt Out");
    for (let i = 0; i < 5000; i++) {
      h.sandbox.state.createContact(optOut, { phone_number: `+6140${String(i).padStart(7, "0")}` });
    }
    const { result, requests } = await requestsOf(h, () =>
      h.call(sendSms, { messages: [{ to: other, body: "Hi" }] }),
    );
    expect(textOf(result)).toBe(
      `The account's opt-out list (list ${optOut}) has more than 5000 contacts, more than a send reads to check its recipients, so no send can be checked against it. Sends from the ClickSend dashboard apply the list themselves. Nothing was sent.`,
    );
    expect(requests.filter((r) => r.path === `lists/${optOut}/contacts`)).toHaveLength(50);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
