import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listVoiceLanguages, sendVoice } from "../tools/voice.js";
import { balanceOf, type Harness, harness, lastRequest } from "./support/harness.js";
import { dataOf, refused, textOf } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const call = { to: "+61400777111", body: "Your code is 1, 2, 3, 4", voice: "female" };

describe("send_voice", () => {
  it("sends flags as 0/1 and charges one credit per 300 characters", async () => {
    const before = balanceOf(h);
    const result = await h.call(sendVoice, {
      messages: [
        { ...call, lang: "en-au", require_input: true, machine_detection: 0 },
        { ...call, to: "+61400777112", body: "x".repeat(301), voice: "male" },
      ],
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest(h)).toMatchObject({
      method: "POST",
      path: "voice/send",
      body: {
        messages: [
          {
            ...call,
            lang: "en-au",
            require_input: 1,
            machine_detection: 0,
            source: "clicksend-mcp",
          },
          { to: "+61400777112", voice: "male", source: "clicksend-mcp" },
        ],
      },
    });
    expect(dataOf(result)).toMatchObject({
      queued_count: 2,
      total_price: 0.21,
      queued: [
        { to: call.to, parts: 1, price: 0.07 },
        { to: "+61400777112", parts: 2, price: 0.14 },
      ],
    });
    expect(textOf(result)).not.toContain("Your code");
    expect(balanceOf(h)).toBeCloseTo(before - 0.21, 6);
  });

  it("is an error naming the fix when the voice is not offered for the language", async () => {
    const result = await h.call(sendVoice, {
      messages: [{ ...call, voice: "male", lang: "sv-se" }],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Nothing was sent");
    expect(dataOf(result)).toMatchObject({
      failed_count: 1,
      failures: [
        { status: "INVALID_VOICE", reason: expect.stringContaining("list_voice_languages") },
      ],
    });
  });

  it("explains an unknown language", async () => {
    const result = await h.call(sendVoice, {
      messages: [
        { ...call, lang: "xx-yy" },
        { ...call, body: "Your code is 5, 6, 7, 8" },
      ],
    });
    expect(result.isError).toBeFalsy();
    expect(dataOf(result)).toMatchObject({
      queued_count: 1,
      failures: [{ to: call.to, status: "INVALID_LANG" }],
    });
  });

  it.each([
    ["a missing voice", { to: call.to, body: "x" }, "messages[0].voice"],
    ["an unknown voice", { ...call, voice: "robot" }, "messages[0].voice"],
    [
      "a language name",
      { ...call, lang: "English" },
      "messages[0].lang: must be a code like en-au",
    ],
    [
      "require_input 2",
      { ...call, require_input: 2 },
      "messages[0].require_input: must be true, false, 0 or 1",
    ],
    ["an alpha caller ID", { ...call, from: "MyShop" }, "messages[0].from"],
    ["a missing body", { to: call.to, voice: "female" }, "messages[0].body"],
  ])("refuses %s without a request", async (_what, message, fragment) => {
    await refused(h, sendVoice, { messages: [message] }, fragment);
  });
});

describe("list_voice_languages", () => {
  it("lists codes with genders always as arrays", async () => {
    const result = await h.call(listVoiceLanguages);
    expect(lastRequest(h)).toMatchObject({ method: "GET", path: "voice/lang" });
    const { languages } = dataOf<{ languages: Array<{ code: string; genders: string[] }> }>(result);
    expect(languages).toHaveLength(23);
    expect(languages).toContainEqual({
      code: "en-au",
      country: "English, Australia",
      genders: ["female", "male"],
    });
    expect(languages).toContainEqual({
      code: "pt-pt",
      country: "Portuguese, Portugal",
      genders: ["male"],
    });
  });

  it("refuses arguments it does not take without a request", async () => {
    await refused(h, listVoiceLanguages, { lang: "en-au" }, "unknown field lang");
  });
});
