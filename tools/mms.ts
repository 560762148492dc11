import * as z from "zod";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "./annotations.js";
import { e164 } from "./inputs.js";
import { mediaProblem } from "./media.js";
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

const MMS = channel("mms", findWithStatus, {
  words: { one: "MMS", many: "MMS", verb: "Send", parts: "Parts", done: "Sent" },
  measurer: async () => (await import("./segments.js")).measureMms,
  checkPayload: ({ media_file }) => {
    const problem = typeof media_file === "string" ? mediaProblem(media_file) : undefined;
    return problem ? [problem] : [];
  },
});

export { uploadMedia } from "./media.js";

const mmsMessage = messageItem(text(1500).describe("Text, up to 1500 GSM or 500 Unicode chars"), {
  subject: text(20).describe("Subject"),
  from: e164.optional().describe("Your ClickSend number; omit for a shared one"),
});

const mmsInput = previewInput(
  {
    media_file: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .describe("Public URL of a .jpg or .gif up to 250 kB (else upload_media), sent to all"),
    messages: messages(mmsMessage),
  },
  MMS,
);

export const { send: sendMms, preview: previewMms } = sendTools(MMS, mmsInput, {
  title: "Send MMS",
  description:
    "Send one picture with text to numbers or contact lists. Real and charged; cannot be recalled: preview_mms first and confirm with the user.",
  previewTitle: "Preview MMS",
  previewDescription:
    "Preview send_mms with the same arguments, sending nothing: price, warnings, and a confirmation.",
});

export const listMmsHistory = defineTool({
  name: "list_mms_history",
  toolset: "mms",
  title: "List MMS history",
  description:
    "List sent MMS with status and price; oldest first unless order_by is date_added:desc.",
  input: historyInput({
    q: ["status", "to", "from", "subject", "list_id", "message_id"],
    order: ["date_added", "to", "from", "status", "subject"],
    phone: "to",
  }),
  annotations: READ,
  output: historyOutput,
  run: (args, ctx) => history("mms/history", args, ctx),
});
