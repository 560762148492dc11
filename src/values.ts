/** ClickSend's values read and written one way: numbers, times, money. */

/** A number from ClickSend's numbers-or-numeric-strings, or undefined. */
export function numberOf(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Unix seconds as ISO 8601 UTC without milliseconds. */
export function isoTime(value: unknown): string | undefined {
  const seconds = numberOf(value);
  return seconds ? new Date(seconds * 1000).toISOString().replace(".000Z", "Z") : undefined;
}

/** Milliseconds as ISO 8601 UTC without fractions. */
export const isoMs = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** Money to 4 decimal places, as ClickSend prices messages. */
export const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
