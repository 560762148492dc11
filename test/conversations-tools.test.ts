import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_TEXT } from "../sandbox/hostile.js";
import { receive } from "../sandbox/replies.js";
import type { OutboundMessage } from "../sandbox/state.js";
import { now } from "../sandbox/state.js";
import { fence, TEXT_CHARS } from "../src/tool/untrusted.js";
import { getConversation, listConversations, READ_LOOKUPS } from "../tools/conversations.js";
import { markInboundSmsRead } from "../tools/replies.js";
import { type Harness, harness } from "./support/harness.js";
import { dataOf, refused, succeeded } from "./support/results.js";
import { addSms } from "./support/tool-args.js";

type Message = Record<string, unknown> & { direction: string; message_id: string };
interface Thread {
  phone_number: string;
  messages: Message[];
  awaiting_reply: boolean;
  opted_out: boolean;
  since: string;
  more?: true;
  note?: string;
}

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** Australia's numbers for fiction that the sandbox does not answer by itself. */
let next = 200;
const freshNumber = () => `+61491570${next++}`;

/** A delivered SMS to `to` at `date` (Unix seconds). */
const sendAt = (
  to: string,
  date: number,
  body = `Text at ${date}`,
  extra: Partial<OutboundMessage> = {},
) =>
  addSms(h.sandbox.state, {
    to,
    from: "+61447254068",
    body,
    date,
    schedule: date,
    custom_string: `mcp-${date}`,
    ...extra,
  });

const thread = async (args: object) => dataOf<Thread>(await h.call(getConversation, args));

/** Every page of a thread from the start, following since; each page's messages. */
async function allPages(phone_number: string, limit: number) {
  const pages: Message[][] = [];
  let since = "0";
  for (let i = 0; i < 100; i++) {
    const page = await thread({ phone_number, since, limit });
    pages.push(page.messages);
    since = page.since;
    if (!page.more) return { pages, since };
  }
  throw new Error("the thread never ended");
}

describe("get_conversation", () => {
  it("merges sends and read and unread replies in time order, fenced, with an opt-out", async () => {
    const number = freshNumber();
    const base = now() - 86_400;
    const s1 = sendAt(number, base, "Confirm 10am tomorrow?");
    const r1 = receive(h.sandbox.state, s1, "Yes", base + 60);
    // Read: it leaves the unread list, and is reached by its send's id.
    expect((await h.call(markInboundSmsRead, { message_id: r1.message_id })).isError).toBeFalsy();
    const s2 = sendAt(number, base + 120, "Great, see you then");
    const r2 = receive(h.sandbox.state, s2, HOSTILE_TEXT, base + 180);
    const r3 = receive(h.sandbox.state, s2, "STOP", base + 240);

    // As people type it: a local number with its country.
    const local = `0${number.slice(3, 6)} ${number.slice(6, 9)} ${number.slice(9)}`;
    const { data, text } = await succeeded<Thread>(h, getConversation, {
      phone_number: local,
      country: "au",
    });
    expect(data.phone_number).toBe(number);
    expect(data.messages).toEqual([
      {
        direction: "out",
        at: new Date(base * 1000).toISOString().replace(".000", ""),
        text: "Confirm 10am tomorrow?",
        message_id: s1.message_id,
        status: "Delivered",
        tag: `mcp-${base}`,
      },
      expect.objectContaining({ direction: "in", message_id: r1.message_id, text: "«Yes»" }),
      expect.objectContaining({ direction: "out", message_id: s2.message_id }),
      expect.objectContaining({
        direction: "in",
        message_id: r2.message_id,
        text: fence(HOSTILE_TEXT, TEXT_CHARS),
        unread: true,
      }),
      expect.objectContaining({ direction: "in", message_id: r3.message_id, opt_out: true }),
    ]);
    expect(data.messages[1]).not.toHaveProperty("unread");
    expect(data.awaiting_reply).toBe(false);
    expect(data.opted_out).toBe(true);
    expect(text).not.toContain("null");
    // The STOP is recorded: the next send to the number is treated as opted out.
    expect(await h.sending.store.optedOut([number])).toEqual(new Set([number]));
  });

  it("awaits a reply when our last message is newer than theirs", async () => {
    const number = freshNumber();
    const base = now() - 7_200;
    receive(h.sandbox.state, sendAt(number, base), "ok", base + 30);
    sendAt(number, base + 60, "And one more thing");
    const data = await thread({ phone_number: number });
    expect(data.messages.map((m) => m.direction)).toEqual(["out", "in", "out"]);
    expect(data.awaiting_reply).toBe(true);
    expect(data.opted_out).toBe(false);
  });

  it("reads a thread across ClickSend's pages and its own, in order, never twice", async () => {
    const number = freshNumber();
    const base = now() - 200_000;
    const expected: string[] = [];
    // 130 sends: two pages of SMS history; every tenth is answered, half of them read.
    for (let i = 0; i < 130; i++) {
      const sent = sendAt(number, base + i * 100);
      expected.push(sent.message_id);
      if (i % 10 === 0) {
        const reply = receive(h.sandbox.state, sent, `Reply ${i}`, base + i * 100 + 50);
        expected.push(reply.message_id);
        // Read ones are reached by their send's id for the latest sends only.
        if (i >= 130 - READ_LOOKUPS && i % 20 === 0) {
          await h.call(markInboundSmsRead, { message_id: reply.message_id });
        }
      }
    }
    const { pages, since } = await allPages(number, 50);
    const seen = pages.flat().map((m) => m.message_id);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages.length).toBeGreaterThan(2);

    // Nothing new: the same since, nothing shown.
    const idle = await thread({ phone_number: number, since });
    expect(idle.messages).toEqual([]);
    expect(idle.since).toBe(since);

    // A new reply: only it, then nothing again.
    const late = receive(
      h.sandbox.state,
      h.sandbox.state.messages.find((m) => m.message_id === expected.at(-1)) as OutboundMessage,
      "One more question",
      now(),
    );
    const fresh = await thread({ phone_number: number, since });
    expect(fresh.messages.map((m) => m.message_id)).toEqual([late.message_id]);
    expect((await thread({ phone_number: number, since: fresh.since })).messages).toEqual([]);
  });

  it("cuts a long thread at the result budget and says how to go on", async () => {
    const number = freshNumber();
    const base = now() - 50_000;
    const long = "A long text about the booking. ".repeat(64).slice(0, 1_900);
    const ids = Array.from(
      { length: 40 },
      (_, i) => sendAt(number, base + i, `${i} ${long}`).message_id,
    );

    const first = await thread({ phone_number: number, since: "0", limit: 50 });
    expect(first.more).toBe(true);
    expect(first.messages.length).toBeLessThan(40);
    expect(first.note).toContain(`since "${first.since}"`);
    expect(first.note).toContain("result limit");
    const { pages } = await allPages(number, 50);
    expect(pages.flat().map((m) => m.message_id)).toEqual(ids);

    // Without since: the latest that fit, and how to read the start.
    const latest = await thread({ phone_number: number, limit: 50 });
    expect(latest.messages.at(-1)?.message_id).toBe(ids.at(-1));
    expect(latest.note).toMatch(/earlier message\(s\) not shown .*since "0"/);
  });

  it("finds the thread of a contact", async () => {
    const number = freshNumber();
    const [list] = h.sandbox.state.lists;
    const contact = h.sandbox.state.createContact(list?.list_id as number, {
      phone_number: number,
    });
    const sent = sendAt(number, now() - 500);
    const data = await thread({ list_id: contact.list_id, contact_id: contact.contact_id });
    expect(data.phone_number).toBe(number);
    expect(data.messages.map((m) => m.message_id)).toEqual([sent.message_id]);
  });

  it("refuses bad input naming the field, before any request", async () => {
    await refused(h, getConversation, { phone_number: "12" }, "phone_number");
    await refused(
      h,
      getConversation,
      { phone_number: "+61491570156", since: "yesterday" },
      "since",
    );
    await refused(h, getConversation, { list_id: 1 }, "contact_id");
    await refused(h, getConversation, {}, "phone_number");
    await refused(
      h,
      getConversation,
      { phone_number: "+61491570156", list_id: 1, contact_id: 2 },
      "list_id",
    );
  });
});

describe("list_conversations", () => {
  it("lists the people written to or heard from, newest first, with unread counts", async () => {
    const quiet = freshNumber();
    const chatty = freshNumber();
    const base = now() - 600;
    sendAt(quiet, base);
    const sent = sendAt(chatty, base + 10);
    receive(h.sandbox.state, sent, "one", base + 20);
    receive(h.sandbox.state, sent, "two", base + 30);
    const { data } = await succeeded<{ items: Array<Record<string, unknown>> }>(
      h,
      listConversations,
      {},
    );
    const times = data.items.map((i) => i.last_at as string);
    expect([...times].sort().reverse()).toEqual(times);
    const find = (n: string) => data.items.find((i) => i.phone_number === n);
    expect(find(chatty)).toMatchObject({ last: "in", unread: 2 });
    expect(find(quiet)).toMatchObject({ last: "out" });
    expect(find(quiet)).not.toHaveProperty("unread");
  });
});

describe("clicksend://conversations/{number}", () => {
  it("is a resource template, and reading it gives the thread as compact JSON", async () => {
    const number = freshNumber();
    const sent = sendAt(number, now() - 300, "Are you coming?");
    const reply = receive(h.sandbox.state, sent, "On my way", now() - 200);
    const client = await h.connect();
    try {
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toContain(
        "clicksend://conversations/{number}",
      );
      for (const uri of [
        `clicksend://conversations/${encodeURIComponent(number)}`,
        `clicksend://conversations/${number}`,
      ]) {
        const { contents } = await client.readResource({ uri });
        const [content] = contents;
        expect(content?.mimeType).toBe("application/json");
        const text = (content as { text: string }).text;
        expect(text).not.toContain("null");
        expect(text).not.toContain("\n");
        const data = JSON.parse(text) as Thread;
        expect(data.phone_number).toBe(number);
        expect(data.messages.map((m) => m.message_id)).toEqual([sent.message_id, reply.message_id]);
        // The harness serves the sandbox: the resource says nothing real happened.
        expect(data).toHaveProperty("sandbox", true);
      }
      await expect(
        client.readResource({ uri: "clicksend://conversations/not-a-number" }),
      ).rejects.toThrow(/number/);
    } finally {
      await client.close();
    }
  });

  it("is not served without the sms toolset", async () => {
    const client = await h.connect({ toolsets: ["lists"] });
    try {
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).not.toContain(
        "clicksend://conversations/{number}",
      );
    } finally {
      await client.close();
    }
  });
});
