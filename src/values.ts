/** ClickSend's values read and written one way: numbers, times, money. */

/** A number from ClickSend's numbers-or-numeric-strings, or undefined. */
export function numberOf(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** A Date, or undefined for a time a Date cannot hold (beyond ±8.64e15 ms, NaN). */
function dateOf(ms: number): Date | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Unix seconds as ISO 8601 UTC without fractions; undefined for 0, garbage or out of range. */
export function isoTime(value: unknown): string | undefined {
  const seconds = numberOf(value);
  return seconds
    ? dateOf(seconds * 1000)
        ?.toISOString()
        .replace(/\.\d+Z$/, "Z")
    : undefined;
}

/** Milliseconds as ISO 8601 UTC without fractions; a time out of range is given as its number. */
export const isoMs = (ms: number): string =>
  dateOf(ms)
    ?.toISOString()
    .replace(/\.\d+Z$/, "Z") ?? `${ms} ms`;

/** Money to 4 decimal places, as ClickSend prices messages. */
export const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
