import { TIME_ZONE_DATA } from "./time-zone-data.js";

let byPrefix: Map<string, readonly string[]> | undefined;

/** The prefix map, built on first use (this module loads only when quiet hours need it). */
function prefixes(): Map<string, readonly string[]> {
  if (byPrefix) return byPrefix;
  const { zones, sets } = TIME_ZONE_DATA;
  byPrefix = new Map();
  for (const [set, list] of Object.entries(sets)) {
    const names = set.split(" ").map((i) => zones[Number(i)] as string);
    for (const prefix of list.split(" ")) byPrefix.set(prefix, names);
  }
  return byPrefix;
}

/**
 * The IANA time zones an E.164 number may be in, from libphonenumber's map: the longest prefix
 * that has an entry wins, and every calling code has one (its country level), which is where a
 * number with no zone of its own falls. Undefined for a number that is not E.164.
 */
export function zonesOfNumber(e164: string): readonly string[] | undefined {
  if (!/^\+\d{2,15}$/.test(e164)) return undefined;
  const map = prefixes();
  for (let digits = e164.slice(1); digits.length > 0; digits = digits.slice(0, -1)) {
    const zones = map.get(digits);
    if (zones) return zones;
  }
  return undefined;
}
