import { RefusedError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import type { OptOutList } from "./channel.js";

/** Masked numbers a warning names, at most; it says how many more there are. */
const NAMED = 5;

/**
 * Who a send must not text: the account's opt-out list (people ClickSend's rule moved there)
 * and the numbers this server saw reply an opt-out keyword (marks in the send store), all E.164.
 */
export class OptedOut {
  constructor(
    private readonly list: OptOutList | undefined,
    private readonly onList: ReadonlySet<string>,
    private readonly replied: ReadonlySet<string>,
  ) {}

  has(number: string): boolean {
    return this.onList.has(number) || this.replied.has(number);
  }

  /** Why these numbers are out: "is on the opt-out list (list 7)", "replied an opt-out keyword". */
  why(numbers: string[]): string {
    const listed = numbers.some((n) => this.onList.has(n));
    const replied = numbers.some((n) => !this.onList.has(n) && this.replied.has(n));
    const verb = numbers.length === 1 ? "is" : "are";
    const list = `${verb} on the opt-out list${this.list ? ` (list ${this.list.list_id})` : ""}`;
    if (listed && replied) return `${list} or replied an opt-out keyword`;
    return listed ? list : "replied an opt-out keyword";
  }
}

/** "***123", "***123, ***456 and 3 more". */
export function named(numbers: string[]): string {
  const shown = numbers.slice(0, NAMED).map((n) => maskPhoneNumbers(n));
  const more = numbers.length - shown.length;
  return more ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** The warning about numbers given in to that opted out, left out or (rule off) included. */
export function toWarning(numbers: string[], optedOut: OptedOut, skip: boolean): string {
  const who = numbers.length === 1 ? "1 number in to" : `${numbers.length} numbers in to`;
  const fate = skip
    ? "left out by CLICKSEND_SKIP_OPTED_OUT"
    : "included (CLICKSEND_SKIP_OPTED_OUT is off): they asked not to be texted";
  return `${who} (${named(numbers)}) ${optedOut.why(numbers)}, ${fate}.`;
}

/** The refusal of a send whose every recipient opted out: nothing is left to send. */
export function everyoneOptedOut(
  listIds: number[],
  toNumbers: string[],
  optedOut: OptedOut,
): RefusedError {
  if (!toNumbers.length) {
    return new RefusedError(
      `Refused by CLICKSEND_SKIP_OPTED_OUT: every member with a number of list ${listIds.join(", ")} is on the opt-out list.`,
    );
  }
  const lists = listIds.length ? ` and every member of list ${listIds.join(", ")}` : "";
  return new RefusedError(
    `Refused by CLICKSEND_SKIP_OPTED_OUT: every recipient opted out (${named(toNumbers)} ${optedOut.why(toNumbers)}${lists}). Do not text them again.`,
  );
}
