import * as z from "zod";
import { defineTool } from "../src/define-tool.js";
import { send } from "../src/sending/pipeline.js";
import { READ, SEND } from "./annotations.js";
import { sendIds } from "./ids.js";
import { e164 } from "./inputs.js";
import { channel, flag, messageItem, messages, sendOptions, text } from "./messages.js";

const VOICE = channel(
  "voice",
  (tag) =>
    `look for custom_string ${tag} in the account's voice history in the ClickSend dashboard`,
);

const voiceMessage = messageItem(
  text(1200).describe("Words to speak; commas add pauses. 300 GSM chars per credit"),
  {
    voice: z.enum(["female", "male"]).describe("Voice gender the lang offers"),
    lang: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]{2,3}){1,2}$/, "must be a code like en-au (list_voice_languages)")
      .optional()
      .describe("Language code from list_voice_languages, e.g. en-au"),
    require_input: flag.optional().describe("Ask for a keypress, shown as digits"),
    machine_detection: flag.optional().describe("Leave the message on an answering machine"),
    from: e164.optional().describe("Caller ID: your ClickSend number"),
  },
);

export const sendVoice = defineTool({
  name: "send_voice",
  toolset: "voice",
  title: "Send voice call",
  description:
    "Call numbers or contact lists and speak a text. Real and charged; cannot be recalled: confirm recipients and text with the user first.",
  input: z.strictObject({ messages: messages(voiceMessage), ...sendOptions }),
  annotations: SEND,
  ids: sendIds,
  run: (args, ctx) => send(VOICE, args, ctx),
});

interface VoiceLang {
  code: string;
  country: string;
  gender: string | string[];
}

export const listVoiceLanguages = defineTool({
  name: "list_voice_languages",
  toolset: "voice",
  title: "List voice languages",
  description: "List the languages and voice genders send_voice can speak.",
  input: z.strictObject({}),
  annotations: READ,
  run: async (_args, { client }) => {
    const list = await client.get<VoiceLang[]>("voice/lang");
    return {
      languages: list.map(({ code, country, gender }) => ({
        code,
        country,
        genders: Array.isArray(gender) ? gender : [gender],
      })),
    };
  },
});
