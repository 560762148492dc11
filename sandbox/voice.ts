import type { OutboundMessage, SandboxState } from "./state.js";

/**
 * How the sandbox's voice calls go (clicksend-api.md §7): a person answers and, when asked for a
 * keypress (require_input), presses 1; one number reserved for fiction is an answering machine,
 * which presses nothing. Test numbers are never really called and undeliverable numbers
 * (sandbox/delivery.ts) never answer, so those calls have no outcome.
 */
const ANSWERING_MACHINES = new Set(["+61491570158"]);
const KEYPRESS = "1";

/** The outcome of a call placed now, kept with the message for history and receipts. */
export function callOutcome(
  to: string,
  requireInput: number,
  answered: boolean,
): Pick<OutboundMessage, "machine_detected" | "digits"> {
  if (!answered) return { machine_detected: 0, digits: "" };
  const machine = ANSWERING_MACHINES.has(to);
  return { machine_detected: machine ? 1 : 0, digits: requireInput && !machine ? KEYPRESS : "" };
}

/**
 * The caller's unread voice receipts: calls the network reported on, answered (201) or failed
 * (301), listed only while an enabled voice receipt rule has action POLL (as for SMS, §5).
 */
export const unreadCallReceipts = (state: SandboxState, userId: number) =>
  state.rulesOf(userId).voice_receipts.some((r) => r.action === "POLL" && r.enabled === 1)
    ? reportedCalls(state, userId).filter((m) => !m.receipt_read)
    : [];

/** When a call's receipt came: 20 s after the call (receiptOf in routes/voice.ts). */
export const receiptTime = (m: OutboundMessage) => m.date + 20;

/** PUT voice/receipts-read: the unread receipts before date_before (all without it) are read. */
export function markCallReceiptsRead(state: SandboxState, userId: number, dateBefore?: number) {
  const marked = unreadCallReceipts(state, userId).filter(
    (m) => dateBefore === undefined || receiptTime(m) < dateBefore,
  );
  for (const m of marked) m.receipt_read = true;
  return marked.length;
}

/** The caller's calls the network reported on: answered (201) or failed (301). */
export const reportedCalls = (state: SandboxState, userId: number) =>
  state.messages.filter(
    (m) =>
      m.channel === "voice" &&
      m.user_id === userId &&
      !m.test_number &&
      (m.status_code === "201" || m.status_code === "301"),
  );
