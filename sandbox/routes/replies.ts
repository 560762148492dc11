import { fail, ok } from "../envelope.js";
import { paginate } from "../pagination.js";
import { repliesOf } from "../replies.js";
import { type Route, route } from "../router.js";

export const repliesRoutes: Route[] = [
  route("GET", "sms/receipts", ({ state, query, url }) => {
    const r = repliesOf(state);
    const unread = [...r.receipts.values()].filter((x) => !r.readReceipts.has(x.message_id));
    return ok("Here are your delivery receipts.", paginate(unread, query, url));
  }),
  route("GET", "sms/receipts/:message_id", ({ state, params }) => {
    const receipt = repliesOf(state).receipts.get(params.message_id as string);
    return receipt
      ? ok("Your receipt.", receipt)
      : fail(404, "NOT_FOUND", "Receipt record not found.");
  }),
  route("PUT", "sms/receipts-read", ({ state, body }) => {
    const r = repliesOf(state);
    const before =
      (body as { date_before?: number } | undefined)?.date_before ?? Number.POSITIVE_INFINITY;
    for (const x of r.receipts.values()) if (x.timestamp < before) r.readReceipts.add(x.message_id);
    return ok("Receipts have been marked as read.", null);
  }),
  route("GET", "sms/inbound", ({ state, query, url }) => {
    const r = repliesOf(state);
    const unread = [...r.inbound.values()].filter((x) => !r.readInbound.has(x.message_id));
    return ok("Here are your data.", paginate(unread, query, url));
  }),
  route("PUT", "sms/:message_id/cancel", ({ state, params }) => {
    const message = state.messages.find(
      (m) => m.channel === "sms" && m.message_id === params.message_id,
    );
    if (!message) return fail(404, "NOT_FOUND", "Message not found.");
    if (message.status !== "Scheduled") {
      return fail(
        400,
        "BAD_REQUEST",
        `Message ${message.message_id} is not scheduled (status ${message.status}).`,
      );
    }
    message.status = "Cancelled";
    return ok("Scheduled sms message has been cancelled.", null);
  }),
];
