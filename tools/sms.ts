import * as z from "zod";
import { defineTool } from "../src/define-tool.js";
import { send } from "../src/sending/pipeline.js";
import { READ, SEND } from "./annotations.js";
import { messageIds, sendIds } from "./ids.js";
import {
  channel,
  history,
  historyInput,
  messageItem,
  messages,
  sendOptions,
  text,
} from "./messages.js";
import { findWithStatus } from "./status.js";

const SMS = channel("sms", findWithStatus, {
  // ClickSend cuts an SMS beyond the account's part limit (6 unless changed in the dashboard).
  partLimit: async (client) =>
    Number(
      (await client.get<{ setting_sms_message_char_limit?: number }>("account"))
        .setting_sms_message_char_limit ?? 6,
    ),
});

const smsMessage = messageItem(
  text(1224).describe("Text; 160 GSM or 70 Unicode chars per part, split beyond that"),
  {
    from: z
      .string()
      .min(1)
      .max(16)
      .optional()
      .describe("Sender ID: your number or a 3-11 char alpha tag; omit for a shared number"),
  },
);

export const sendSms = defineTool({
  name: "send_sms",
  toolset: "sms",
  title: "Send SMS",
  description:
    "Send SMS to numbers or contact lists. Real and charged; cannot be recalled: confirm recipients and text with the user first.",
  input: z.strictObject({ messages: messages(smsMessage), ...sendOptions }),
  annotations: SEND,
  ids: sendIds,
  run: (args, ctx) => send(SMS, args, ctx),
});

export const listSmsHistory = defineTool({
  name: "list_sms_history",
  toolset: "sms",
  title: "List SMS history",
  description: "List sent SMS with status and price; oldest first unless order_by is date:desc.",
  input: historyInput("status, to, from, message_id, subaccount_id"),
  annotations: READ,
  ids: messageIds,
  run: (args, ctx) => history("sms/history", args, ctx),
});
