import type { Receipt } from "./replies.js";
import type { OutboundMessage } from "./state.js";

/**
 * What happens to an SMS or MMS after ClickSend queues it (clicksend-api.md §4.3, §5): most
 * numbers are delivered at once; two of Australia's numbers reserved for fiction are not, so a
 * person and the tests can see a failed and a never-reported delivery. Test numbers get no report
 * at all (§1.12); outbound.ts handles them.
 */

export type Delivery = Pick<
  OutboundMessage,
  "status" | "status_code" | "status_text" | "error_text"
>;

export const DELIVERED: Delivery = {
  status: "Sent",
  status_code: "201",
  status_text: "Message delivered to the handset",
  error_text: null,
};

export const UNDELIVERABLE: Record<string, Delivery> = {
  // The network reports a permanent failure.
  "+61491570110": {
    status: "Failed",
    status_code: "301",
    status_text: "Failed: Message could not be delivered.",
    error_text: "Absent Subscriber",
  },
  // Handed to the network; no report ever comes.
  "+61491570313": {
    status: "Sent",
    status_code: "200",
    status_text: "Message sent to the network",
    error_text: null,
  },
};

export const deliveryTo = (to: string): Delivery => UNDELIVERABLE[to] ?? DELIVERED;

/** What a receipt reports once the network gave a final status (201 or 301); nothing before. */
export function reported(
  m: OutboundMessage,
): Pick<Receipt, "status_code" | "status_text" | "error_code" | "error_text"> | undefined {
  if (m.status_code !== "201" && m.status_code !== "301") return undefined;
  return {
    status_code: m.status_code,
    status_text:
      m.status_code === "201" ? "Success: Message received on handset." : (m.status_text ?? ""),
    error_code: null,
    error_text: m.error_text ?? null,
  };
}
