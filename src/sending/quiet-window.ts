/** Quiet hours as minutes of the local day: start inclusive, end exclusive; may wrap midnight. */
export interface QuietWindow {
  start: number;
  end: number;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** "21:00-08:00" (H:MM allowed) as a window; undefined when it is not one or covers no time. */
export function parseQuietWindow(raw: string): QuietWindow | undefined {
  const found = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(raw.trim());
  if (!found) return undefined;
  const [h1, m1, h2, m2] = found.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return undefined;
  const window = { start: h1 * 60 + m1, end: h2 * 60 + m2 };
  return window.start === window.end ? undefined : window;
}

/** Minutes of the day as HH:MM. */
export const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

export const windowText = (window: QuietWindow): string =>
  `${hhmm(window.start)}-${hhmm(window.end)}`;

export function inWindow(window: QuietWindow, minute: number): boolean {
  return window.start < window.end
    ? minute >= window.start && minute < window.end
    : minute >= window.start || minute < window.end;
}

export interface LocalTime {
  /** Minutes since local midnight. */
  minute: number;
  /** Local time minus UTC. */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at `ms` (Node's ICU holds the zone rules, DST included). */
export function localTime(zone: string, ms: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(ms)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0 } = parts;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  return { minute: hour * 60 + minute, offsetMs: wall - floorMinute(ms) };
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** The first of `zones` in which `ms` falls in quiet hours, with the local time there. */
export function quietIn(
  window: QuietWindow,
  zones: readonly string[],
  ms: number,
): { zone: string; minute: number } | undefined {
  for (const zone of zones) {
    const { minute } = localTime(zone, ms);
    if (inWindow(window, minute)) return { zone, minute };
  }
  return undefined;
}

/** The first instant at or after `from` outside quiet hours in `zone`; whole minutes when moved. */
function nextAllowedIn(window: QuietWindow, zone: string, from: number, limit: number): number {
  let at = from;
  while (at <= limit) {
    const local = localTime(zone, at);
    if (!inWindow(window, local.minute)) return at;
    at = floorMinute(at);
    const toEnd = (window.end - local.minute + DAY_MINUTES) % DAY_MINUTES;
    const candidate = at + toEnd * MINUTE_MS;
    // With the same offset at both ends the local clock ran evenly: it reads the end there.
    if (localTime(zone, candidate).offsetMs === local.offsetMs) return candidate;
    // A DST change on the way: the window may end earlier or later than that; walk the minutes.
    for (let minute = at + MINUTE_MS; minute <= candidate; minute += MINUTE_MS) {
      if (!inWindow(window, localTime(zone, minute).minute)) return minute;
    }
    at = candidate;
  }
  return at;
}

/**
 * The first instant at or after `from` outside quiet hours in every one of `zones`, or undefined
 * when there is none by `limit` (zones far apart can leave no minute allowed in all of them).
 * Each zone moves the time to its own next allowed minute until none has to: no earlier instant
 * can be allowed in all of them, as each move skips only minutes that zone forbids.
 */
export function firstAllowed(
  window: QuietWindow,
  zones: readonly string[],
  from: number,
  limit: number,
): number | undefined {
  let at = from;
  for (;;) {
    let moved = false;
    for (const zone of zones) {
      const next = nextAllowedIn(window, zone, at, limit);
      if (next > limit) return undefined;
      if (next !== at) {
        at = next;
        moved = true;
      }
    }
    if (!moved) return at;
  }
}
