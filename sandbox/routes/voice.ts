import { ok } from "../envelope.js";
import { VOICE_LANGUAGES } from "../messaging.js";
import { cancelRoute, historyRoute, sendRoutes } from "../outbound.js";
import { pageOf } from "../resource.js";
import { type Route, route } from "../router.js";
import type { OutboundMessage, SandboxUser } from "../state.js";
import { markCallReceiptsRead, receiptTime, unreadCallReceipts } from "../voice.js";
import { withDateBefore } from "./replies.js";

/** A call as GET voice/history shows it (§7.1): date_added, parts as "1.00", the call's outcome. */
const historyView = (m: OutboundMessage, _state: unknown, username: string) => ({
  date_added: m.date,
  to: m.to,
  to_type: m.to_type,
  body: m.body,
  from: m.from,
  lang: m.lang,
  voice: m.voice,
  list_id: m.list_id === null ? null : String(m.list_id),
  message_id: m.message_id,
  message_parts: m.message_parts.toFixed(2),
  message_price: m.message_price,
  custom_string: m.custom_string,
  user_id: m.user_id,
  subaccount_id: m.subaccount_id,
  country: m.country,
  carrier: m.carrier,
  require_input: m.require_input ?? 0,
  machine_detection: m.machine_detection ?? 0,
  machine_detected: m.machine_detected ?? 0,
  digits: m.digits ?? "",
  schedule: String(m.schedule),
  status: m.status,
  status_code: m.status_code,
  status_text: m.status_text,
  _api_username: username,
});

/** A delivery receipt for a call (§7.1): digits is "" when nothing was pressed. */
const receiptOf = (m: OutboundMessage) => ({
  timestamp_send: String(m.date),
  timestamp: String(receiptTime(m)),
  message_id: m.message_id,
  status_code: m.status_code,
  status_text:
    m.status_code !== "201"
      ? m.status_text
      : m.machine_detected
        ? "Success: Message left on an answering machine."
        : "Success: Call answered.",
  error_code: null,
  error_text: m.error_text ?? null,
  custom_string: m.custom_string || null,
  message_type: "voice",
  digits: m.digits ?? "",
});

/**
 * send_voice: POST voice/send (voice/price on a dry run); list_voice_languages: GET voice/lang;
 * list_voice_history, list_voice_receipts (a voice receipt POLL rule needed),
 * mark_voice_receipts_read: PUT voice/receipts-read (S3), cancel_scheduled_voice (§7, §15).
 */
export const voiceRoutes: Route[] = [
  ...sendRoutes("voice"),
  route("GET", "voice/lang", () => ok("Here are the possible languages.", VOICE_LANGUAGES)),
  historyRoute("voice", "Here are your data.", historyView),
  route("GET", "voice/receipts", (req) =>
    pageOf(
      req,
      unreadCallReceipts(req.state, (req.user as SandboxUser).user_id).map(receiptOf),
      "Here are your delivery receipts.",
    ),
  ),
  route("PUT", "voice/receipts-read", (req) =>
    withDateBefore(req, (date_before) =>
      ok(
        "Receipts have been marked as read.",
        markCallReceiptsRead(req.state, (req.user as SandboxUser).user_id, date_before),
      ),
    ),
  ),
  cancelRoute("voice", "Voice have been cancelled.", []),
];
