import * as z from "zod";
import { hasVisibleText, invisibleCodes } from "../src/sending/text.js";
import { isoTime } from "../src/values.js";

/** Shared input pieces. Field names are ClickSend's wire names. */

export const id = (what: string) => z.number().int().positive().describe(what);

export const pageInput = {
  page: z.number().int().min(1).optional(),
  limit: z.number().int().min(15).max(100).optional().describe("Per page (default 15)"),
};

const isoWithZone = z.iso.datetime({ offset: true });
const isoWithoutZone = z.iso.datetime({ local: true });

/**
 * An ISO 8601 date-time with Z or an offset. Without one the instant is a guess (the server's
 * zone? the account's?), so it is refused, saying where the account's zone is. The check is a
 * refinement so tools/list carries format "date-time", not zod's 400-byte regex.
 */
const isoTimeInput = z
  .string()
  .superRefine((value, ctx) => {
    if (isoWithZone.safeParse(value).success) return;
    ctx.addIssue({
      code: "custom",
      message: isoWithoutZone.safeParse(value).success
        ? `"${value}" has no time zone: add Z (UTC) or an offset like +10:00 (get_account shows the account's timezone)`
        : "must be Unix seconds or an ISO 8601 date-time like 2030-01-31T09:00:00+10:00",
    });
  })
  .meta({ format: "date-time" });

/** As seconds, 1e11 is the year 5138; as milliseconds, 1973: a number this big is milliseconds. */
const MILLISECONDS_FROM = 1e11;

/**
 * Unix seconds or an ISO 8601 date-time with zone; always sent as Unix seconds. Refused: numbers
 * that look like milliseconds (Date.now()), times before 1970, and what `check` says is wrong.
 */
function timeInput(check?: (seconds: number) => string | undefined) {
  return z.union([z.number().int().nonnegative(), isoTimeInput]).transform((value, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (typeof value === "number" && value >= MILLISECONDS_FROM) {
      return fail(
        `${value} looks like milliseconds (Date.now()); give Unix seconds: ${Math.floor(value / 1000)}`,
      );
    }
    const seconds = typeof value === "number" ? value : Math.floor(Date.parse(value) / 1000);
    if (seconds < 0) return fail(`${value} is before 1970-01-01, which Unix seconds cannot say`);
    const problem = check?.(seconds);
    return problem ? fail(problem) : seconds;
  });
}

export const unixTime = timeInput();

/**
 * ClickSend's help centre: SMS can be scheduled up to 4 months ahead, and a later one "will not
 * be sent" (the API reference gives no bound). 120 days is within 4 months from any date.
 */
export const SCHEDULE_HORIZON_DAYS = 120;
/** A schedule this close to now is a clock skew, not a mistake: it sends at once. */
const SCHEDULE_PAST_GRACE_S = 60;

/** When a message should go: not in the past (send now: omit it), not beyond ClickSend's horizon. */
export const scheduleTime = timeInput((seconds) => {
  const now = Math.floor(Date.now() / 1000);
  const at = `${isoTime(seconds) ?? seconds}`;
  if (seconds < now - SCHEDULE_PAST_GRACE_S) {
    return `${at} is in the past (now is ${isoTime(now)}): omit schedule to send now`;
  }
  if (seconds > now + SCHEDULE_HORIZON_DAYS * 86_400) {
    return `${at} is more than ${SCHEDULE_HORIZON_DAYS} days ahead: ClickSend schedules at most 4 months ahead and does not send later ones`;
  }
  return undefined;
});

/** ISO 3166-1 alpha-2, sent upper-case ("au" is AU). */
export const countryCode = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code like AU (see list_countries)")
    .transform((code) => code.toUpperCase())
    .describe(what);

export const e164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number like +61411111111");

const emailCheck = z.email();

/** A valid email address; checked by refinement so tools/list says format "email", not a regex. */
export const email = z
  .string()
  .refine((value) => emailCheck.safeParse(value).success, "must be a valid email address")
  .meta({ format: "email" });

/** A string with something that shows; sent as given (no trimming of a message body). */
export const nonBlank = z.string().superRefine(visible("must not be blank"));

/** A refinement: refuses text that is empty, only spaces, or only invisible characters. */
export function visible(empty: string) {
  return (value: string, ctx: z.RefinementCtx): void => {
    if (hasVisibleText(value)) return;
    const codes = invisibleCodes(value);
    ctx.addIssue({
      code: "custom",
      message: codes ? `${empty}: it has only invisible characters (${codes})` : empty,
    });
  };
}
