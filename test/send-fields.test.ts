/**
 * Every body a send or preview posts, on every channel, held to ClickSend's own field list for
 * that endpoint: test/fixtures/clicksend-send-fields.json, copied from the spec the official SDKs
 * are generated from (its `source` says where). A field ClickSend does not define is dropped
 * without a word on a real account, and a required one left out fails each message; the sandbox
 * would not notice either on its own.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewMms, sendMms } from "../tools/mms.js";
import { previewSms, sendSms } from "../tools/sms.js";
import { previewVoice, sendVoice } from "../tools/voice.js";
import { type Harness, harness } from "./support/harness.js";
import { textOf } from "./support/results.js";

interface Fields {
  top: string[];
  topRequired: string[];
  message: string[];
  messageRequired: string[];
}
const SPEC = JSON.parse(
  readFileSync(new URL("./fixtures/clicksend-send-fields.json", import.meta.url), "utf8"),
) as Record<"sms" | "mms" | "voice", Fields>;

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const everything = {
  schedule: Math.floor(Date.now() / 1000) + 86_400,
  custom_string: "spec",
  source: "spec-test",
};
const cases = [
  {
    channel: "sms" as const,
    tools: [previewSms, sendSms],
    args: {
      messages: [
        { to: "+61400777201", body: "Hi", from: "+61485900112", country: "AU", ...everything },
        { list_id: 0, body: "Hi all" },
      ],
    },
  },
  {
    channel: "mms" as const,
    tools: [previewMms, sendMms],
    args: {
      media_file: "https://example.com/a.jpg",
      messages: [
        { to: "+61400777202", body: "Hi", subject: "S", from: "+61485900112", ...everything },
        { list_id: 0, body: "Hi all", subject: "S" },
      ],
    },
  },
  {
    channel: "voice" as const,
    tools: [previewVoice, sendVoice],
    args: {
      messages: [
        {
          to: "+61400777203",
          body: "Hi",
          voice: "female",
          lang: "en-au",
          require_input: 1,
          machine_detection: 1,
          ...everything,
        },
        { list_id: 0, body: "Hi all", voice: "male" },
      ],
    },
  },
];

describe("send and preview bodies follow ClickSend's spec", () => {
  it.each(cases)("$channel", async ({ channel, tools, args }) => {
    const list = h.sandbox.state.lists[0]?.list_id ?? 0;
    const withList = {
      ...args,
      messages: args.messages.map((m) => ("list_id" in m ? { ...m, list_id: list } : m)),
    };
    const spec = SPEC[channel];
    const before = h.sandbox.requests.length;
    for (const tool of tools) {
      const result = await h.call(tool, withList);
      expect(result.isError, textOf(result)).toBeFalsy();
    }
    const posted = h.sandbox.requests
      .slice(before)
      .filter((r) => r.path === `${channel}/send` || r.path === `${channel}/price`);
    expect(posted.map((r) => r.path)).toContain(`${channel}/send`);
    expect(posted.map((r) => r.path)).toContain(`${channel}/price`);
    for (const { body } of posted) {
      const sent = body as Record<string, unknown> & { messages: Array<Record<string, unknown>> };
      expect(spec.top).toEqual(expect.arrayContaining(Object.keys(sent)));
      expect(Object.keys(sent)).toEqual(expect.arrayContaining(spec.topRequired));
      for (const message of sent.messages) {
        expect(spec.message).toEqual(expect.arrayContaining(Object.keys(message)));
        expect(Object.keys(message)).toEqual(expect.arrayContaining(spec.messageRequired));
      }
    }
  });
});
