/**
 * The reply watcher's setting: `--watch-replies [seconds]` or CLICKSEND_WATCH_REPLIES_S. Off by
 * default; on, it looks for new replies and receipts every so many seconds while a stdio host is
 * connected (src/push/watcher.ts). Each look costs API calls, so it is never faster than 10 s.
 */

export const WATCH_FLAG = "--watch-replies";
const WATCH_ENV = "CLICKSEND_WATCH_REPLIES_S";

/** `--watch-replies` alone. */
export const DEFAULT_WATCH_S = 30;
export const MIN_WATCH_S = 10;
const MAX_WATCH_S = 86_400;

export const WATCH_HELP = `  --watch-replies [S]              over stdio, look for new SMS replies and receipts every S
                                   seconds (default ${DEFAULT_WATCH_S}, at least ${MIN_WATCH_S}) and push them to the host`;

const OFF = ["", "0", "off", "false", "no"];

/**
 * Seconds between looks, or undefined when off. The flag wins over the variable. Over HTTP the
 * watcher does not run: the flag is refused there, the variable ignored.
 */
export function parseWatchReplies(
  flags: Map<string, string | true>,
  env: Record<string, string | undefined>,
  http: boolean,
  problems: string[],
): number | undefined {
  const flag = flags.get(WATCH_FLAG);
  if (flag !== undefined && http) {
    problems.push(
      `${WATCH_FLAG} is for stdio: over --http no host connection stays open to push to`,
    );
    return undefined;
  }
  if (http) return undefined;
  if (flag === true) return DEFAULT_WATCH_S;
  const [name, raw] = flag !== undefined ? [WATCH_FLAG, flag] : [WATCH_ENV, env[WATCH_ENV]];
  if (raw === undefined || (name === WATCH_ENV && OFF.includes(raw.trim().toLowerCase()))) {
    return undefined;
  }
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < MIN_WATCH_S || value > MAX_WATCH_S) {
    problems.push(
      `${name} must be a whole number of seconds from ${MIN_WATCH_S} to ${MAX_WATCH_S}${
        name === WATCH_ENV ? " (or off)" : ""
      }`,
    );
    return undefined;
  }
  return value;
}
