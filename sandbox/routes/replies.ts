import { badRequest, fail, ok, type SandboxResponse } from "../envelope.js";
import { cancelRoute } from "../outbound.js";
import {
  markInboundRead,
  markOneInboundRead,
  markReceiptsRead,
  receiptFor,
  replyTo,
  unreadInbound,
  unreadReceipts,
} from "../replies.js";
import { bodyOf, pageOf, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import type { SandboxUser } from "../state.js";

const userOf = (req: SandboxRequest) => (req.user as SandboxUser).user_id;

/** The optional {date_before} body of the mark-read routes: Unix seconds. */
export function withDateBefore(
  req: SandboxRequest,
  fn: (date_before: number | undefined) => SandboxResponse,
): SandboxResponse {
  const raw = bodyOf(req).date_before;
  if (raw === undefined || raw === null || raw === "") return fn(undefined);
  const date_before = Number(raw);
  if (!Number.isFinite(date_before)) {
    return badRequest("Invalid input.", { date_before: "The date before must be a timestamp." });
  }
  return fn(date_before);
}

export const repliesRoutes: Route[] = [
  route("GET", "sms/receipts", (req) =>
    pageOf(req, unreadReceipts(req.state, userOf(req)), "Here are your delivery receipts."),
  ),
  route("GET", "sms/receipts/:message_id", (req) =>
    withItem(
      receiptFor(req.state, userOf(req), req.params.message_id as string),
      () => fail(404, "NOT_FOUND", "Receipt record not found."),
      (receipt) => ok("Your receipt.", receipt),
    ),
  ),
  route("PUT", "sms/receipts-read", (req) =>
    withDateBefore(req, (date_before) =>
      ok(
        "Receipts have been marked as read.",
        markReceiptsRead(req.state, userOf(req), date_before),
      ),
    ),
  ),
  route("GET", "sms/inbound", (req) => pageOf(req, unreadInbound(req.state, userOf(req)))),
  route("GET", "sms/inbound/:original_message_id", (req) =>
    withItem(
      replyTo(req.state, userOf(req), req.params.original_message_id as string),
      // Undocumented; by analogy with "Receipt record not found." (clicksend-api.md §5.2).
      () => fail(404, "NOT_FOUND", "Inbound record not found."),
      (reply) => ok("Here's your result.", reply),
    ),
  ),
  route("PUT", "sms/inbound-read", (req) =>
    withDateBefore(req, (date_before) =>
      ok(
        "Inbound messages have been marked as read.",
        markInboundRead(req.state, userOf(req), date_before),
      ),
    ),
  ),
  // S1's wording, verbatim; data is the count marked (0 for an unknown or already read id).
  route("PUT", "sms/inbound-read/:message_id", (req) =>
    ok(
      "Receipt have been marked as read.",
      markOneInboundRead(req.state, userOf(req), req.params.message_id as string),
    ),
  ),
  // Before sms/:message_id/cancel, which would read "cancel-all" as an id. Without a
  // custom_string every scheduled SMS of the account is cancelled (§15); data.count says how many,
  // and response_msg too, in S1's words (§4.5).
  route("PUT", "sms/cancel-all", (req) => {
    const body = (req.body ?? {}) as { custom_string?: unknown };
    const tag = typeof body.custom_string === "string" ? body.custom_string : undefined;
    const user = userOf(req);
    const cancelled = req.state.messages.filter(
      (m) =>
        m.channel === "sms" &&
        m.user_id === user &&
        m.status === "Scheduled" &&
        (tag === undefined || m.custom_string === tag),
    );
    for (const m of cancelled) m.status = "Cancelled";
    return ok(`${cancelled.length} sms messages have been cancelled.`, {
      count: cancelled.length,
    });
  }),
  cancelRoute("sms", "Scheduled sms message has been cancelled.", null),
];
