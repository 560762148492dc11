import * as z from "zod";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "./annotations.js";
import { messageIds } from "./ids.js";
import {
  channel,
  history,
  historyInput,
  historyOutput,
  messageItem,
  messages,
  previewInput,
  text,
} from "./messages.js";
import { sendTools } from "./send-tools.js";
import { findWithStatus } from "./status.js";

const SMS = channel("sms", findWithStatus, {
  words: { one: "SMS", many: "SMS", verb: "Send", parts: "Parts", done: "Sent" },
  measurer: async () => (await import("./segments.js")).measureSms,
  // ClickSend cuts an SMS beyond the account's part limit (6 unless changed in the dashboard).
  partLimit: async (client) =>
    Number(
      (await client.get<{ setting_sms_message_char_limit?: number }>("account"))
        .setting_sms_message_char_limit ?? 6,
    ),
});

/**
 * A sender ID as ClickSend takes it (§1.13): a number (digits, an optional +; the separators
 * people type are dropped) or an alpha tag of 3-11 letters, digits and +, without spaces.
 */
const senderId = z
  .string()
  .min(1)
  .max(20)
  .transform((value, ctx) => {
    if (/^\+?[\d\s().-]+$/.test(value)) {
      const number = value.replace(/[\s().-]/g, "");
      if (/^\+?\d{3,15}$/.test(number)) return number;
      ctx.addIssue({ code: "custom", message: "a sender number has 3 to 15 digits" });
    } else if (!/^[A-Za-z0-9+]{3,11}$/.test(value)) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(value)} is not a sender ID: an alpha tag is 3 to 11 letters, digits or +, without spaces (this one has ${[...value].length} characters); a number may be longer`,
      });
    }
    return value;
  });

const smsMessage = messageItem(
  text(1224).describe("Text; 160 GSM or 70 Unicode chars per part, split beyond that"),
  {
    from: senderId
      .optional()
      .describe("Sender ID: your number or a 3-11 char alpha tag; omit for a shared number"),
  },
);

const smsInput = previewInput({ messages: messages(smsMessage) }, SMS);

export const { send: sendSms, preview: previewSms } = sendTools(SMS, smsInput, {
  title: "Send SMS",
  description:
    "Send SMS to numbers or contact lists. Real and charged; cannot be recalled: preview_sms first and confirm with the user.",
  previewTitle: "Preview SMS",
  previewDescription:
    "Preview send_sms with the same arguments, sending nothing: parts, price, warnings, and a confirmation.",
});

export const listSmsHistory = defineTool({
  name: "list_sms_history",
  toolset: "sms",
  title: "List SMS history",
  description: "List sent SMS with status and price; oldest first unless order_by is date:desc.",
  input: historyInput({
    q: ["status", "to", "from", "message_id", "subaccount_id"],
    order: ["date", "to", "from", "status", "body", "username"],
    phone: "to",
  }),
  annotations: READ,
  ids: messageIds,
  output: historyOutput,
  run: (args, ctx) => history("sms/history", args, ctx),
});
