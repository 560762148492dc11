import { RefusedError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import type { QuietHours } from "./quiet-hours.js";

export interface GuardConfig {
  /** E.164 numbers and prefixes ending in "*" ("+61*"). Unset: any recipient. */
  allowedRecipients?: string[];
  maxRecipientsPerCall?: number;
  /** Messages per rolling 24 hours, reserved in the send store before each send. */
  dailyMessageLimit?: number;
  /** false: recipients who opted out (opt-out list, or a keyword reply) are warned about, not left out. */
  skipOptedOut?: boolean;
  /** A window of each recipient's local day in which sends are refused or scheduled later. */
  quietHours?: QuietHours;
}

/** True when any rule needs to know exactly who a send reaches. */
export const isGuarded = (config: GuardConfig): boolean =>
  config.allowedRecipients !== undefined ||
  config.maxRecipientsPerCall !== undefined ||
  config.dailyMessageLimit !== undefined ||
  config.quietHours !== undefined;

function isAllowed(config: GuardConfig, number: string): boolean {
  const allowed = config.allowedRecipients;
  if (!allowed) return true;
  return allowed.some((rule) =>
    rule.endsWith("*") ? number.startsWith(rule.slice(0, -1)) : number === rule,
  );
}

/**
 * The rules about who one call reaches, checked on the exact numbers it will send to (lists
 * already expanded). The daily limit is not here: it is reserved atomically in the send store.
 */
export function checkRecipients(
  config: GuardConfig,
  numbers: string[],
  listSizes: ReadonlyMap<number, number>,
): void {
  const listNote = listSizes.size
    ? ` (${[...listSizes].map(([id, n]) => `list ${id} has ${n} recipient${n === 1 ? "" : "s"}`).join(", ")})`
    : "";
  const { maxRecipientsPerCall, allowedRecipients } = config;
  if (maxRecipientsPerCall !== undefined && numbers.length > maxRecipientsPerCall) {
    throw new RefusedError(
      `Refused by CLICKSEND_MAX_RECIPIENTS_PER_CALL: the limit is ${maxRecipientsPerCall} recipients per call and this call has ${numbers.length}${listNote}.`,
    );
  }
  if (allowedRecipients) {
    const denied = numbers.filter((n) => !isAllowed(config, n));
    if (denied.length) {
      throw new RefusedError(
        `Refused by CLICKSEND_ALLOWED_RECIPIENTS (${allowedRecipients.join(", ")}): ${denied.length} recipient${denied.length === 1 ? " is" : "s are"} not allowed, e.g. ${maskPhoneNumbers(denied[0] as string)}${listNote}.`,
      );
    }
  }
}
