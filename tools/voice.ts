import * as z from "zod";
import type { RequestClient } from "../src/client/client.js";
import { path } from "../src/client/path.js";
import { UserInputError } from "../src/errors.js";
import type { OutgoingMessage } from "../src/sending/channel.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fenceField } from "../src/tool/untrusted.js";
import { numberOf } from "../src/values.js";
import { DELETE, READ, UPDATE } from "./annotations.js";
import { voiceMessageIds } from "./ids.js";
import { pageInput } from "./inputs.js";
import {
  channel,
  flag,
  type HistoryItem,
  history,
  historyInput,
  historyItemOutput,
  messageItem,
  messages,
  previewInput,
  text,
} from "./messages.js";
import { optionalText, pageOf } from "./outputs.js";
import {
  explained,
  markedOutput,
  markReceipts,
  markReceiptsInput,
  messageId,
  pollPage,
  type Receipt,
  receiptOutput,
  shapeReceipt,
} from "./replies.js";
import { sendTools } from "./send-tools.js";

/**
 * ClickSend requires country on every voice message (the SDK's VoiceMessage and the spec's voice
 * send schema; clicksend-api.md §15): the one given, else the number's, else the account's.
 */
async function withCountry<M extends OutgoingMessage>(
  messages: M[],
  client: RequestClient,
): Promise<M[]> {
  const { parsePhoneNumberFromString } = await import("libphonenumber-js/max");
  const fromNumber = (to: string | undefined) =>
    to === undefined ? undefined : parsePhoneNumberFromString(to)?.country;
  let account: string | undefined;
  const accountCountry = async () => {
    account ??= (await client.get<{ country?: string }>("account")).country ?? "";
    return account;
  };
  const completed: M[] = [];
  for (const [i, message] of messages.entries()) {
    const country = message.country ?? fromNumber(message.to) ?? (await accountCountry());
    if (!country) {
      throw new UserInputError(
        `messages[${i}].country: ClickSend needs the recipient's country for a voice call; give country (ISO alpha-2).`,
        [`messages[${i}].country`],
      );
    }
    completed.push({ ...message, country: country.toUpperCase() });
  }
  return completed;
}

const VOICE = channel(
  "voice",
  (tag) =>
    `look for custom_string ${tag} in the account's voice history in the ClickSend dashboard`,
  {
    words: {
      one: "voice call",
      many: "voice calls",
      verb: "Call",
      parts: "Credits",
      done: "Calls queued",
    },
    measurer: async () => (await import("./segments.js")).measureVoice,
    completeMessages: withCountry,
  },
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
  },
);

const voiceInput = previewInput({ messages: messages(voiceMessage) }, VOICE);

export const { send: sendVoice, preview: previewVoice } = sendTools(VOICE, voiceInput, {
  title: "Send voice call",
  description:
    "Call numbers or contact lists and speak a text. Real and charged; cannot be recalled: preview_voice first and confirm with the user.",
  previewTitle: "Preview voice call",
  previewDescription:
    "Preview send_voice with the same arguments, calling nobody: credits, price, warnings, and a confirmation.",
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
  output: z.object({
    languages: z.array(
      z.object({ code: z.string(), country: optionalText, genders: z.array(z.string()) }),
    ),
  }),
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

interface VoiceHistoryItem extends HistoryItem {
  to_type?: string;
  machine_detection?: number | string;
  machine_detected?: number | string;
  digits?: string | null;
}

export const listVoiceHistory = defineTool({
  name: "list_voice_history",
  toolset: "voice",
  title: "List voice history",
  description:
    "List voice calls: status, price, keys pressed (digits), answering machine detected.",
  input: historyInput({
    q: ["status", "to", "message_id"],
    order: ["date_added", "to", "status"],
    phone: "to",
  }),
  annotations: READ,
  ids: voiceMessageIds,
  output: pageOf(
    historyItemOutput.extend({
      to_type: optionalText,
      digits: optionalText,
      machine_detected: z.boolean().optional(),
    }),
  ),
  run: (args, ctx) =>
    history("voice/history", args, ctx, (item: VoiceHistoryItem) => ({
      to_type: item.to_type,
      digits: fenceField(item.digits),
      // Whether an answering machine picked up means something only when detection was asked for.
      machine_detected:
        numberOf(item.machine_detection) === 1 ? numberOf(item.machine_detected) === 1 : undefined,
    })),
});

export const listVoiceReceipts = defineTool({
  name: "list_voice_receipts",
  toolset: "voice",
  title: "List voice receipts",
  description:
    "List unread voice call receipts: answered or failed, and keys pressed (digits). Needs a voice_receipts POLL rule (create_automation_rule).",
  input: z.strictObject(pageInput),
  annotations: READ,
  ids: voiceMessageIds,
  output: pollPage(receiptOutput.extend({ digits: optionalText })),
  run: async ({ page, limit }, { client }) =>
    explained(
      await client.page(
        "voice/receipts",
        { page, limit },
        (r: Receipt & { digits?: string | null }) => ({
          ...shapeReceipt(r),
          digits: fenceField(r.digits),
        }),
      ),
      "voice_receipts",
      client,
    ),
});

// PUT voice/receipts-read is in the spec the SDK is generated from (S3 VoiceReceiptsReadPut).
export const markVoiceReceiptsRead = defineTool({
  name: "mark_voice_receipts_read",
  toolset: "voice",
  title: "Mark voice receipts read",
  description:
    "Mark voice call receipts read so list_voice_receipts stops showing them: all before a time, or all.",
  input: markReceiptsInput,
  annotations: UPDATE,
  output: markedOutput,
  run: (args, { client }) => markReceipts("voice/receipts-read", args, client),
});

export const cancelScheduledVoice = defineTool({
  name: "cancel_scheduled_voice",
  toolset: "voice",
  title: "Cancel a scheduled voice call",
  description:
    "Cancel a voice call scheduled for later that has not gone yet. Find ids with list_voice_history.",
  input: z.strictObject({
    message_id: messageId("message_id from send_voice or list_voice_history"),
  }),
  annotations: DELETE,
  ids: voiceMessageIds,
  output: z.object({ cancelled: z.string() }),
  run: async ({ message_id }, { client }) => {
    await client.put(path`voice/${message_id}/cancel`);
    return { cancelled: message_id };
  },
});
