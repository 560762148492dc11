/**
 * Read-only previews, the confirmations they issue, CLICKSEND_REQUIRE_CONFIRMATION and the daily
 * spend limit, in one process against the sandbox. Across processes and instances:
 * test/confirm-processes.test.ts.
 */
import { describe, expect, it } from "vitest";
import { memoryBackend } from "../src/state/memory.js";
import { SendStore } from "../src/state/store.js";
import { defaultToolsets } from "../tools/index.js";
import { previewMms } from "../tools/mms.js";
import { previewSms, sendSms } from "../tools/sms.js";
import { previewVoice, sendVoice } from "../tools/voice.js";
import { answerWith, type Harness, sendRequests } from "./support/harness.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, textOf } from "./support/results.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const setup = harnessPerTest();
const posted = (h: Harness) => sendRequests(h.sandbox).length;
/** Not a test number: the sandbox charges 0.0792 AUD a part for it. */
const PAID = "+61400123456";
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const sms = (body = "Your table is ready", to = "+61411111111") => ({
  messages: [{ to, body }],
});

async function confirmationFor(h: Harness, args: object, tool = previewSms): Promise<string> {
  const preview = dataOf<Loose>(await h.call(tool, args));
  expect(preview.confirmation).toMatch(/^cf_[\w-]{22}$/);
  return preview.confirmation;
}

describe("previews", () => {
  it("are read-only, and served under --read-only with their toolsets, send tools not", async () => {
    for (const tool of [previewSms, previewMms, previewVoice]) {
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    const h = await setup();
    const client = await h.connect({ readOnly: true, toolsets: defaultToolsets });
    const all = await h.connect({ readOnly: true });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("preview_sms");
      expect(names).not.toContain("send_sms");
      const everything = (await all.listTools()).tools.map((t) => t.name);
      expect(everything).toEqual(
        expect.arrayContaining(["preview_sms", "preview_mms", "preview_voice"]),
      );
      expect(everything.filter((name) => name.startsWith("send_"))).toEqual([]);
      const result = await client.callTool({ name: "preview_sms", arguments: sms() });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
      await all.close();
    }
    expect(posted(h)).toBe(0);
  });

  it("take exactly what the send takes (one schema), and point dry_run and send options elsewhere", async () => {
    expect(sendSms.input.shape.messages).toBe(previewSms.input.shape.messages);
    expect(Object.keys(sendSms.input.shape)).toEqual([
      ...Object.keys(previewSms.input.shape),
      "idempotency_key",
      "allow_duplicate",
      "confirmation",
    ]);
    const h = await setup();
    const dry = await h.call(sendSms, { ...sms(), dry_run: true });
    expect(textOf(dry)).toContain("unknown field dry_run (dry_run is gone: preview_sms previews");
    const keyed = await h.call(previewSms, { ...sms(), idempotency_key: "k" });
    expect(textOf(keyed)).toContain("are send_sms options; a preview takes only what is sent");
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("quote, issue a confirmation that expires in 10 minutes, and send nothing", async () => {
    const h = await setup();
    const before = Date.now();
    const result = await h.call(previewSms, sms("Hi", PAID));
    const after = Date.now();
    const data = dataOf<Loose>(result);
    expect(data).toMatchObject({
      preview: expect.stringContaining("Nothing was sent."),
      recipients: 1,
      total_price: 0.0792,
      currency: "AUD",
    });
    // 10 minutes after it was issued, during the call (a time shown to the second).
    const expires = Date.parse(data.confirmation_expires_at);
    expect(expires).toBeGreaterThan(before - 1000 + 600_000);
    expect(expires).toBeLessThanOrEqual(after + 600_000);
    expect(h.sandbox.requests.map((r) => r.path)).toContain("sms/price");
    expect(posted(h)).toBe(0);
  });
});

describe("confirmations", () => {
  it("send exactly the previewed payload once; times and numbers compare as normalised", async () => {
    const h = await setup({ requireConfirmation: true });
    const at = inAnHour();
    const previewed = {
      messages: [
        {
          to: "0411 111 111",
          country: "au",
          body: "Later",
          schedule: new Date(at * 1000).toISOString(),
        },
      ],
    };
    const confirmation = await confirmationFor(h, previewed);
    const sent = await h.call(sendSms, {
      messages: [{ body: "Later", country: "AU", schedule: at, to: "+61411111111" }],
      confirmation,
    });
    expect(sent.isError, textOf(sent)).toBeFalsy();
    expect(posted(h)).toBe(1);

    const again = await h.call(sendSms, { ...previewed, confirmation });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain("confirmation: already used at");
    expect(textOf(again)).toContain("Nothing was sent.");
    expect(posted(h)).toBe(1);
  });

  it.each([
    ["body", sms("Your table is ready!")],
    ["recipients", sms("Your table is ready", "+61422222222")],
    ["recipients (one more)", { messages: [...sms().messages, ...sms("x").messages] }],
    ["schedule", { messages: [{ ...sms().messages[0], schedule: inAnHour() }] }],
  ])(
    "refuse a send whose %s differs, and still confirm the previewed one",
    async (_what, other) => {
      const h = await setup({ requireConfirmation: true });
      const confirmation = await confirmationFor(h, sms());
      const refused = await h.call(sendSms, { ...other, confirmation });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(
        "confirmation: this send differs from the one previewed (its text, recipients, schedule, sender",
      );
      expect(textOf(refused)).toContain("preview_sms");
      expect(textOf(refused)).toContain("Nothing was sent.");
      expect(posted(h)).toBe(0);
      const sent = await h.call(sendSms, { ...sms(), confirmation });
      expect(sent.isError, textOf(sent)).toBeFalsy();
      expect(posted(h)).toBe(1);
    },
  );

  it("refuse a confirmation from another channel's preview", async () => {
    const h = await setup({ requireConfirmation: true });
    const args = { messages: [{ to: "+61411111111", body: "Hello", voice: "female" as const }] };
    const confirmation = await confirmationFor(h, args, previewVoice);
    const refused = await h.call(sendSms, {
      messages: [{ to: "+61411111111", body: "Hello" }],
      confirmation,
    });
    expect(textOf(refused)).toContain(
      "confirmation: issued for a send on another channel (voice), not sms.",
    );
    expect(posted(h)).toBe(0);
    const called = await h.call(sendVoice, { ...args, confirmation });
    expect(called.isError, textOf(called)).toBeFalsy();
    expect(posted(h)).toBe(1);
  });

  it("expire after the TTL on the store's clock", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const h = await setup(
      { requireConfirmation: true, confirmationTtlS: 600 },
      new SendStore(memoryBackend(), () => now),
    );
    const first = await confirmationFor(h, sms("one"));
    const second = await confirmationFor(h, sms("two"));
    now += 599_999;
    expect((await h.call(sendSms, { ...sms("one"), confirmation: first })).isError).toBeFalsy();
    now += 1;
    const late = await h.call(sendSms, { ...sms("two"), confirmation: second });
    expect(late.isError).toBe(true);
    expect(textOf(late)).toContain("confirmation: expired at 2030-01-01T00:10:00Z.");
    expect(textOf(late)).toContain("Preview the send with preview_sms");
    expect(posted(h)).toBe(1);
  });

  it("refuse a token this server never issued", async () => {
    const h = await setup();
    const refused = await h.call(sendSms, { ...sms(), confirmation: "cf_made-up" });
    expect(textOf(refused)).toContain("confirmation: not one this server issued");
    expect(posted(h)).toBe(0);
  });

  it("when required, refuse a send without one before any request, naming the preview tool", async () => {
    const h = await setup({ requireConfirmation: true });
    for (const [tool, preview] of [
      [sendSms, "preview_sms"],
      [sendVoice, "preview_voice"],
    ] as const) {
      const refused = await h.call(tool, {
        messages: [{ list_id: 1, body: "Hi", ...(tool === sendVoice ? { voice: "male" } : {}) }],
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(
        `confirmation: required (CLICKSEND_REQUIRE_CONFIRMATION is on). Call ${preview} with the same arguments`,
      );
      expect(textOf(refused)).toContain("Nothing was sent.");
    }
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("when not required, a send without one goes as before", async () => {
    const h = await setup();
    expect((await h.call(sendSms, sms())).isError).toBeFalsy();
    expect(posted(h)).toBe(1);
  });

  it("a preview whose store cannot record a confirmation still quotes, and says so", async () => {
    const broken = new SendStore({
      ...memoryBackend(),
      transact: () => Promise.reject(new Error("disk full")),
    });
    const h = await setup({}, broken);
    const data = dataOf<Loose>(await h.call(previewSms, sms()));
    expect(data.confirmation).toBeUndefined();
    expect(data.recipients).toBe(1);
    expect(data.warnings.join(" ")).toContain("No confirmation was issued");
  });
});

describe("CLICKSEND_DAILY_SPEND_LIMIT", () => {
  it("lets a send under the limit through and refuses the next, naming limit, spent and cost", async () => {
    const h = await setup({ dailySpendLimit: 0.1 });
    const first = await h.call(sendSms, sms("first", PAID));
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(posted(h)).toBe(1);
    const second = await h.call(sendSms, sms("second", PAID));
    expect(second.isError).toBe(true);
    expect(textOf(second)).toContain(
      "Refused by CLICKSEND_DAILY_SPEND_LIMIT: the limit is 0.1 AUD per 24 hours, 0.0792 AUD was spent in the last 24 hours and this send would cost 0.0792 AUD.",
    );
    expect(textOf(second)).toContain("Nothing was sent.");
    expect(posted(h)).toBe(1);
    // What is free still goes: a test number costs nothing.
    expect((await h.call(sendSms, sms("free"))).isError).toBeFalsy();
    expect(posted(h)).toBe(2);
  });

  it("counts a send at its real price: settled from the send's answer, not the quote", async () => {
    const h = await setup({ dailySpendLimit: 0.2 });
    const long = "a".repeat(161);
    // The quote says one part; ClickSend charges the two the text needs.
    answerWith(h, "sms/price", {
      total_price: 0.0792,
      messages: [{ to: PAID, status: "SUCCESS", message_price: "0.0792" }],
      _currency: { currency_name_short: "AUD" },
    });
    expect((await h.call(sendSms, sms(long, PAID))).isError).toBeFalsy();
    const next = await h.call(sendSms, sms("short", PAID));
    expect(textOf(next)).toContain("0.1584 AUD was spent");
    expect(posted(h)).toBe(1);
  });

  it("parallel sends cannot pass it together", async () => {
    const h = await setup({ dailySpendLimit: 0.4 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.call(sendSms, sms(`parallel ${i}`, PAID))),
    );
    // 5 x 0.0792 = 0.396; a sixth would be 0.4752.
    expect(results.filter((r) => !r.isError)).toHaveLength(5);
    expect(results.filter((r) => textOf(r).includes("CLICKSEND_DAILY_SPEND_LIMIT"))).toHaveLength(
      5,
    );
    expect(posted(h)).toBe(5);
  });
});
