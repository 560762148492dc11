import { RefusedError } from "../errors.js";
import { maskPhoneNumbers } from "../logger.js";
import { isoMs } from "../values.js";
import type { OutgoingMessage } from "./channel.js";
import {
  firstAllowed,
  hhmm,
  localTime,
  type QuietWindow,
  quietIn,
  windowText,
} from "./quiet-window.js";

/** The operator's quiet hours: a window of each recipient's local day, and what a send in it gets. */
export interface QuietHours {
  window: QuietWindow;
  /** refuse: nothing is sent; schedule: the send is scheduled for the first allowed minute. */
  action: "refuse" | "schedule";
}

/** How far ahead the first allowed minute is looked for: any one zone has one within a day. */
const SEARCH_MS = 48 * 3_600_000;

const RULE = "CLICKSEND_QUIET_HOURS";

interface Recipient {
  to: string;
  zones: readonly string[];
}

/** The send's messages by when each goes: its schedule (Unix seconds), else now. */
function byTime<M extends OutgoingMessage>(messages: M[], now: number): Map<number, M[]> {
  const groups = new Map<number, M[]>();
  for (const message of messages) {
    const at = message.schedule ? message.schedule * 1000 : now;
    groups.set(at, [...(groups.get(at) ?? []), message]);
  }
  return groups;
}

const at = (zone: string, ms: number) => `${hhmm(localTime(zone, ms).minute)} in ${zone}`;

/**
 * Checks every recipient at the time its message goes, in every zone its number may be in (a
 * number is quiet when it is in quiet hours in any of them). Refuses, naming the first recipient
 * in quiet hours, or moves the messages that go at that time to the first minute allowed for all
 * of their recipients: ClickSend then holds them (`schedule`). Lists must already be expanded.
 */
export async function applyQuietHours<M extends OutgoingMessage>(
  quiet: QuietHours,
  messages: M[],
  now: number,
): Promise<{ messages: M[]; scheduled?: string }> {
  const { zonesOfNumber } = await import("./time-zones.js");
  const { window, action } = quiet;
  const rule = `${RULE} (${windowText(window)} in each recipient's local time)`;
  const moved = new Map<number, number>();
  const notes: string[] = [];
  for (const [time, group] of byTime(messages, now)) {
    const recipients: Recipient[] = group.flatMap(({ to }) => {
      if (to === undefined) return [];
      const zones = zonesOfNumber(to);
      if (!zones) {
        throw new RefusedError(
          `Refused by ${rule}: ${maskPhoneNumbers(to)} is not an E.164 number, so its time zone and local time are unknown. Correct the number (or the list member's), or leave it out.`,
        );
      }
      return [{ to, zones }];
    });
    const quietOnes = recipients.flatMap((r) => {
      const hit = quietIn(window, r.zones, time);
      return hit ? [{ ...r, ...hit }] : [];
    });
    const first = quietOnes[0];
    if (!first) continue;
    const zones = [...new Set(recipients.flatMap((r) => r.zones))];
    const allowed = firstAllowed(window, zones, time, time + SEARCH_MS);
    const when = time === now ? "now" : `at its schedule, ${isoMs(time)}`;
    const others = quietOnes.length - 1;
    const who = `${maskPhoneNumbers(first.to)} is at ${hhmm(first.minute)} in ${first.zone} ${when}${others ? ` (and ${others} more recipient${others === 1 ? " is" : "s are"} in quiet hours)` : ""}`;
    if (allowed === undefined) {
      throw new RefusedError(
        `Refused by ${rule}: ${who}, and no minute in the ${SEARCH_MS / 3_600_000} hours after is outside quiet hours for every recipient of this send (their zones are too far apart). Send to them separately, by region.`,
      );
    }
    const until = `${isoMs(allowed)} (${at(first.zone, allowed)})`;
    if (action === "refuse") {
      throw new RefusedError(
        `Refused by ${rule}: ${who}. The first minute outside quiet hours for every recipient of this send is ${until}: send then, or pass that time as schedule.`,
      );
    }
    moved.set(time, allowed);
    notes.push(`${until}: ${who}`);
  }
  if (moved.size === 0) return { messages };
  return {
    messages: messages.map((message) => {
      const time = message.schedule ? message.schedule * 1000 : now;
      const to = moved.get(time);
      return to === undefined ? message : { ...message, schedule: Math.ceil(to / 1000) };
    }),
    scheduled: `${notes.join("; ")}. Scheduled by ${rule}; cancel it like any scheduled send.`,
  };
}
