/**
 * The question a send puts to the person at the host (src/sending/question.ts): every text in
 * full, hidden characters shown, nothing in a text able to pass for the question's own lines.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Channel } from "../src/sending/channel.js";
import { questionFor } from "../src/sending/question.js";

/** A control (but line feed), zero-width, bidi or line-separator character, left raw. */
const rawHidden = (text: string) =>
  [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    const within = (from: number, to: number) => code >= from && code <= to;
    return (
      (code <= 0x1f && code !== 0x0a) ||
      within(0x7f, 0x9f) ||
      within(0x200b, 0x200f) ||
      within(0x2028, 0x202e) ||
      within(0x2066, 0x2069) ||
      code === 0xfeff
    );
  });
const channel = { words: { one: "SMS", many: "SMS" } } as Channel;
const quoted = (recipients: number, parts = 1) => ({
  recipients,
  would_queue: recipients,
  total_price: 0.0825 * recipients,
  currency: "AUD",
  messages: Array.from({ length: recipients }, () => ({
    to: "+61411111111",
    encoding: "GSM-7" as const,
    parts,
    price: 0.0825,
  })),
});
const ask = (...bodies: string[]) =>
  questionFor(
    channel,
    { messages: bodies.map((body, i) => ({ to: `+6141111111${i}`, body })) },
    quoted(bodies.length),
  );

describe("the question before a send", () => {
  it("shows each distinct text in full, not its first 80 characters", () => {
    const long = `${"Your appointment is confirmed. ".repeat(10)}Reply STOP to opt out.`;
    const lines = ask(long, long, "Second").split("\n");
    expect(lines).toContain(`│ ${long}`);
    expect(lines.filter((l) => l.startsWith("Text "))).toEqual([
      `Text 1 of 2 (${long.length} characters):`,
      "Text 2 of 2 (6 characters):",
    ]);
    expect(lines[0]).toBe("Send 3 SMS to ***110, ***111, ***112?");
  });

  it("shows zero-width, bidi and control characters as escapes, and says how many", () => {
    const question = ask(`${"\u200b".repeat(78)}Hi \u202eevil\u0007\r`);
    expect(question).toContain("│ \\u200b×78Hi \\u202eevil\\u0007\\u000d");
    expect(question).toContain("(88 characters, 81 of them invisible or control characters");
  });

  it("keeps every line of a text behind the bar, whatever the text holds", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const lines = ask(text).split("\n");
        const own = lines.filter((l) => !l.startsWith("│ "));
        // Only the question's own lines stand outside the bar: the header, the text's label,
        // the parts and price, and the last line, once.
        expect(own[0]).toMatch(/^Send 1 SMS to \*\*\*110\?$/);
        expect(own[1]).toMatch(/^Text \(\d+ characters?(, \d+ of them invisible .*)?\):$/);
        expect(own.slice(2)).toEqual(["1 part, 0.0825 AUD", "Nothing is sent unless you accept."]);
        // Nothing invisible or line-breaking is left raw.
        expect(rawHidden(lines.join(""))).toBe(false);
      }),
    );
  });

  it("cuts only a text whose escapes would not fit, and says what was left out", () => {
    const noisy = "\u200b\u200c".repeat(600);
    const question = ask(noisy);
    expect(question).toMatch(/\(\d+ more characters of escapes not shown: .*Preview the send/);
    expect(question.length).toBeLessThan(5_000);
  });

  it("says when a scheduled send will go", () => {
    const question = questionFor(
      channel,
      { messages: [{ to: "+61411111111", body: "Hi" }], schedule: 1_798_761_600 },
      quoted(1),
    );
    expect(question).toContain("Scheduled for 2027-01-01T00:00:00Z.");
    // Quiet hours move each message's own schedule.
    const moved = questionFor(
      channel,
      { messages: [{ to: "+61411111111", body: "Hi", schedule: 1_798_783_200 }] },
      quoted(1),
    );
    expect(moved).toContain("Scheduled for 2027-01-01T06:00:00Z.");
  });
});
