import { type Delivery, deliveryTo } from "./delivery.js";
import { badRequest, fail, ok } from "./envelope.js";
import {
  destinationOf,
  MMS_PRICE,
  numberType,
  smsParts,
  toE164,
  VOICE_LANGUAGES,
  voiceParts,
} from "./messaging.js";
import { asObject, pageOf } from "./resource.js";
import { type Route, route, type SandboxRequest } from "./router.js";
import {
  messageId,
  now,
  type OutboundMessage,
  type SandboxState,
  type SandboxUser,
  TEST_NUMBERS,
} from "./state.js";
import { callOutcome } from "./voice.js";

/**
 * What SMS, MMS and voice share: POST {channel}/send and {channel}/price, GET {channel}/history
 * (clicksend-api.md §4, §6, §7, §12). The route files routes/sms.ts, mms.ts and voice.ts build
 * their routes from these.
 */

type Channel = OutboundMessage["channel"];
type Fields = Record<string, unknown>;

const MAX_MESSAGES = 1000;
const SHARED_NUMBER = "+61447254068";
export const CURRENCY = {
  currency_name_short: "AUD",
  currency_prefix_d: "$",
  currency_prefix_c: "c",
  currency_name_long: "Australian Dollars",
};

const str = (value: unknown) => (value === undefined || value === null ? "" : String(value));
const filled = (value: unknown) => str(value).trim() !== "";
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** One recipient: a number given directly or a contact of a list; status when already refused. */
interface Target {
  message: Fields;
  to: string;
  list_id: number | null;
  contact_id: number | null;
  status?: string;
}

/** Checks on the message itself, before recipients are looked at. */
function messageStatus(channel: Channel, m: Fields, mediaFile: unknown): string | undefined {
  if (!filled(m.body)) return "EMPTY_MESSAGE";
  if (!filled(m.to) && !filled(m.list_id)) return "MISSING_REQUIRED_FIELDS";
  if (channel === "mms") {
    if (!filled(m.subject)) return "SUBJECT_REQUIRED";
    if (!mediaOk(mediaFile)) return "INVALID_MEDIA_FILE";
  }
  if (channel === "voice") {
    // VoiceMessage requires body, country, custom_string and voice (S3 and S1, §15).
    if (!filled(m.voice) || !filled(m.country) || !filled(m.custom_string)) {
      return "MISSING_REQUIRED_FIELDS";
    }
    const lang = VOICE_LANGUAGES.find((l) => l.code === langOf(m));
    if (!lang) return "INVALID_LANG";
    if (![lang.gender].flat().includes(str(m.voice))) return "INVALID_VOICE";
  }
  return undefined;
}

const langOf = (m: Fields) => (filled(m.lang) ? str(m.lang).toLowerCase() : "en-us");

/** jpg and gif are accepted as they are; other image types need converting first (§6.1). */
function mediaOk(url: unknown): boolean {
  try {
    const parsed = new URL(str(url));
    const ext = /\.([a-z0-9]+)$/i.exec(parsed.pathname)?.[1]?.toLowerCase();
    return /^https?:$/.test(parsed.protocol) && (!ext || ext === "jpg" || ext === "gif");
  } catch {
    return false;
  }
}

/**
 * list_id wins over to (S2); a list expands to its contacts that have a phone number. A local `to`
 * is read with the message's country.
 */
function expand(channel: Channel, m: Fields, mediaFile: unknown, state: SandboxState): Target[] {
  const listId = filled(m.list_id) ? Number(m.list_id) : null;
  const to = filled(m.to) ? toE164(str(m.to), str(m.country)) : "";
  const base: Target = { message: m, to, list_id: listId, contact_id: null };
  const status = messageStatus(channel, m, mediaFile);
  if (status || listId === null) return [{ ...base, ...(status ? { status } : {}) }];
  const list = state.lists.find((l) => l.list_id === listId);
  if (!list) return [{ ...base, to: "", status: "NOT_ENOUGH_PERMISSION_TO_LIST_ID" }];
  return state.contacts
    .filter((c) => c.list_id === list.list_id && c.phone_number)
    .map((c) => ({ ...base, to: c.phone_number as string, contact_id: c.contact_id }));
}

/** Unix seconds; 0 or absent means now; undefined when invalid. */
function scheduleOf(value: unknown): number | undefined {
  if (!filled(value)) return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A number, or (SMS only) an alpha tag of 3-11 characters without spaces. */
function senderOk(channel: Channel, from: string): boolean {
  if (from === "" || /^\+?\d{3,15}$/.test(from)) return true;
  return channel === "sms" && from.length >= 3 && from.length <= 11 && !/\s/.test(from);
}

function priceOf(channel: Channel, body: string, rates: { smsRate: number; voiceRate: number }) {
  if (channel === "mms") return { parts: 1, price: MMS_PRICE };
  const parts = channel === "sms" ? smsParts(body) : voiceParts(body);
  return { parts, price: round(parts * (channel === "sms" ? rates.smsRate : rates.voiceRate), 4) };
}

/** Fields of the channel that appear in the reply and in history. */
function channelFields(channel: Channel, m: Fields, mediaFile: unknown) {
  if (channel === "mms") {
    return { subject: str(m.subject).slice(0, 20), media_file: str(mediaFile) };
  }
  if (channel === "voice") {
    return {
      voice: str(m.voice),
      lang: langOf(m),
      require_input: Number(m.require_input ?? 0),
      machine_detection: Number(m.machine_detection ?? 0),
    };
  }
  return {};
}

/**
 * Decides one recipient's fate in the documented order, charging the user for what is queued.
 * Returns the message object for the reply and, when queued, the message kept for history.
 */
function settle(
  channel: Channel,
  target: Target,
  user: SandboxUser,
  state: SandboxState,
  mediaFile: unknown,
  charge: boolean,
): { reply: Fields; stored?: OutboundMessage } {
  const m = target.message;
  // Voice has no from: ClickSend's VoiceMessage does not define it, and calls show from: null.
  const from = channel === "voice" ? "" : str(m.from);
  const common = {
    to: target.to,
    body: str(m.body),
    from,
    message_id: messageId(),
    custom_string: str(m.custom_string),
    ...(target.list_id !== null ? { list_id: target.list_id } : {}),
  };
  // The reduced shape of messages refused before a country is known.
  const destination = target.status ? undefined : destinationOf(target.to);
  if (!destination) {
    return { reply: { ...common, schedule: "", status: target.status ?? "INVALID_RECIPIENT" } };
  }
  const where = {
    from: from || (channel === "voice" ? null : SHARED_NUMBER),
    is_shared_system_number: !from && channel !== "voice",
    country: destination.country,
    carrier: destination.carrier,
  };
  const refuse = (status: string) => ({
    reply: { ...common, ...where, schedule: "", message_parts: 0, message_price: "0.0000", status },
  });
  if (!state.enabledCountries.has(destination.country)) return refuse("COUNTRY_NOT_ENABLED");
  const schedule = scheduleOf(m.schedule);
  if (schedule === undefined) return refuse("INVALID_SCHEDULE");
  if (!senderOk(channel, from)) return refuse("INVALID_SENDER_ID");

  const test = TEST_NUMBERS.has(target.to);
  const { parts, price } = test
    ? { parts: 0, price: 0 }
    : priceOf(channel, common.body, destination);
  const date = now();
  const sendAt = Math.max(schedule, date);
  const priced = {
    ...common,
    ...where,
    schedule: sendAt,
    message_parts: parts,
    message_price: price.toFixed(4),
  };
  // An account with no credit sends nothing, not even to test numbers (§12).
  if (user.balance <= 0 || price > user.balance) {
    return { reply: { ...priced, status: "INSUFFICIENT_CREDIT" } };
  }
  if (charge) user.balance = round(user.balance - price, 6);

  const delivery: Delivery =
    sendAt > date
      ? { status: "Scheduled", status_code: null, status_text: null }
      : test
        ? { status: "Completed", status_code: null, status_text: null }
        : deliveryTo(target.to);
  const extra = {
    ...channelFields(channel, m, mediaFile),
    ...(channel === "voice"
      ? {
          to_type: numberType(target.to, destination.country),
          ...(sendAt > date
            ? {}
            : callOutcome(target.to, Number(m.require_input ?? 0), delivery.status_code === "201")),
        }
      : {}),
  };
  const stored: OutboundMessage = {
    channel,
    message_id: common.message_id,
    user_id: user.user_id,
    subaccount_id: user.subaccount_id,
    to: target.to,
    from: where.from,
    body: common.body,
    ...extra,
    from_email: filled(m.from_email) ? str(m.from_email) : null,
    date,
    schedule: sendAt,
    ...delivery,
    message_parts: parts,
    message_price: priced.message_price,
    custom_string: common.custom_string,
    list_id: target.list_id,
    contact_id: target.contact_id,
    country: destination.country,
    carrier: destination.carrier,
    source: str(m.source),
    test_number: test,
  };
  const { media_file, machine_detected, digits, ...replyExtra } = extra as {
    media_file?: string;
    machine_detected?: number;
    digits?: string;
  };
  return {
    reply: {
      direction: "out",
      date,
      ...priced,
      ...replyExtra,
      ...(media_file ? { _media_file_url: media_file } : {}),
      from_email: stored.from_email,
      list_id: target.list_id,
      contact_id: target.contact_id,
      user_id: user.user_id,
      subaccount_id: user.subaccount_id,
      status: "SUCCESS",
    },
    stored,
  };
}

/** POST {channel}/send queues and charges; POST {channel}/price answers the same without either. */
function sendRoute(channel: Channel, mode: "send" | "price"): Route {
  return route("POST", `${channel}/${mode}`, ({ body, user, state }: SandboxRequest) => {
    const request = asObject(body);
    const messages = request.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return badRequest("Invalid input.", { messages: "At least one message is required." });
    }
    if (channel === "mms" && !filled(request.media_file)) {
      return badRequest("Invalid input.", { media_file: "The media file field is required." });
    }
    const targets = messages.flatMap((m) =>
      expand(channel, asObject(m), request.media_file, state),
    );
    if (messages.length > MAX_MESSAGES || targets.length > MAX_MESSAGES) {
      return badRequest(`Too many recipients: at most ${MAX_MESSAGES} messages per call.`, {
        messages: `${targets.length} recipients given.`,
      });
    }
    const account = user as SandboxUser;
    const charge = mode === "send";
    const settled = targets.map((t) =>
      settle(channel, t, account, state, request.media_file, charge),
    );
    const replies = settled.map((s) => s.reply);
    if (charge) for (const { stored } of settled) if (stored) state.messages.push(stored);
    return ok(charge ? "Messages queued for delivery." : "Here is some pricing.", {
      total_price: round(
        replies.reduce((sum, r) => sum + Number(r.message_price ?? 0), 0),
        4,
      ),
      total_count: replies.length,
      queued_count: replies.filter((r) => r.status === "SUCCESS").length,
      messages: replies,
      _currency: CURRENCY,
      blocked_count: replies.filter((r) => r.status === "COUNTRY_NOT_ENABLED").length,
    });
  });
}

type HistoryView = (m: OutboundMessage, state: SandboxState, username: string) => Fields;

/** A kept message as GET {sms,mms}/history shows it (§4.3, §6.2). */
function historyView(m: OutboundMessage, state: SandboxState, username: string): Fields {
  const contact = state.contacts.find((c) => c.contact_id === m.contact_id);
  const shared = {
    direction: "out",
    to: m.to,
    body: m.body,
    from: m.from,
    from_email: m.from_email ?? null,
    status: m.status,
    status_code: m.status_code,
    status_text: m.status_text,
    error_code: null,
    error_text: m.error_text ?? null,
    message_id: m.message_id,
    message_price: m.message_price,
    schedule: String(m.schedule),
    list_id: m.list_id,
    contact_id: m.contact_id,
    custom_string: m.custom_string,
    user_id: m.user_id,
    subaccount_id: m.subaccount_id,
    country: m.country,
    carrier: m.carrier,
    first_name: contact?.first_name ?? null,
    last_name: contact?.last_name ?? null,
    _api_username: username,
  };
  if (m.channel === "mms") {
    return {
      ...shared,
      date_added: m.date,
      date: String(m.date),
      subject: m.subject,
      message_parts: m.message_parts.toFixed(2),
      priority: 10,
      _media_file_url: m.media_file,
    };
  }
  return { ...shared, date: m.date, message_parts: m.message_parts };
}

/** GET {channel}/history: the caller's kept messages of the channel, from date_from to date_to. */
export function historyRoute(
  channel: Channel,
  message: string,
  view: HistoryView = historyView,
): Route {
  return route("GET", `${channel}/history`, (req: SandboxRequest) => {
    const { query, user, state } = req;
    const u = user as SandboxUser;
    const bound = (name: string) => {
      const n = Number(query.get(name) ?? Number.NaN);
      return Number.isFinite(n) ? n : undefined;
    };
    const from = bound("date_from") ?? 0;
    const to = bound("date_to") ?? Number.POSITIVE_INFINITY;
    // ClickSend's default order is date:asc (§4.3); messages kept out of order (tests) too.
    const rows = state.messages
      .filter((m) => m.channel === channel && m.user_id === u.user_id)
      .filter((m) => m.date >= from && m.date <= to)
      .sort((a, b) => a.date - b.date)
      .map((m) => view(m, state, u.username));
    return pageOf(req, rows, message);
  });
}

/** POST {channel}/send and POST {channel}/price, in that order. */
export const sendRoutes = (channel: Channel): Route[] => [
  sendRoute(channel, "send"),
  sendRoute(channel, "price"),
];

/** PUT {channel}/{message_id}/cancel: the caller's scheduled message is cancelled (§4.5, §15). */
export const cancelRoute = (channel: Channel, message: string, data: unknown): Route =>
  route("PUT", `${channel}/:message_id/cancel`, ({ state, params, user }: SandboxRequest) => {
    const found = state.messages.find(
      (m) =>
        m.channel === channel &&
        m.user_id === user?.user_id &&
        m.message_id === params.message_id?.toUpperCase(),
    );
    if (!found) return fail(404, "NOT_FOUND", "Message not found.");
    if (found.status !== "Scheduled") {
      return fail(
        400,
        "BAD_REQUEST",
        `Message ${found.message_id} is not scheduled (status ${found.status}).`,
      );
    }
    found.status = "Cancelled";
    return ok(message, data);
  });
