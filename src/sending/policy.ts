import { memoryEngine } from "../state/memory.js";
import { SendStore } from "../state/store.js";
import type { GuardConfig } from "./guards.js";
import { InFlightSends } from "./in-flight.js";
import { OptOutListCache } from "./opt-out-list.js";
import type { QuietHours } from "./quiet-hours.js";
import { parseQuietWindow } from "./quiet-window.js";

/** The account owner's sending rules, from env and flags. */
export interface SendingConfig extends GuardConfig {
  /** Identical sends within this many seconds are refused; 0 turns the check off. */
  duplicateWindowS: number;
  /** Where the send state lives: a directory, or "memory"; unset: the default directory. */
  stateDir?: string;
  /** redis:// or rediss:// URL: the send state lives in Redis, shared by several instances. */
  redisUrl?: string;
  /** Every send needs a confirmation from a preview of exactly that send. */
  requireConfirmation?: boolean;
  /** How long a preview's confirmation can be used. */
  confirmationTtlS: number;
  /** Spend per rolling 24 hours in the account's currency, reserved from each send's quote. */
  dailySpendLimit?: number;
  /**
   * Messages per rolling 24 hours for each person (over HTTP with OAuth, the token's sub),
   * beside the account's limit. No person (stdio, the static token): does not apply.
   */
  personDailyMessageLimit?: number;
  /** Spend per rolling 24 hours for each person, as personDailyMessageLimit. */
  personDailySpendLimit?: number;
}

/**
 * The operator's rules and the store that holds what they count, shared by every server this
 * process makes (stdio or HTTP); the store is shared further, by processes and instances.
 */
export interface SendingPolicy {
  config: SendingConfig;
  store: SendStore;
  /** This process's sends awaiting ClickSend's answer: settled as maybe sent if it must exit. */
  inFlight: InFlightSends;
  /** The account's opt-out list as last read, shared by this process's sends. */
  optOutList: OptOutListCache;
}

const DEFAULT_DUPLICATE_WINDOW_S = 600;
const DEFAULT_CONFIRMATION_TTL_S = 600;

export function createSendingPolicy(
  config: Partial<SendingConfig> = {},
  store: SendStore = new SendStore(memoryEngine()),
): SendingPolicy {
  return {
    config: {
      duplicateWindowS: DEFAULT_DUPLICATE_WINDOW_S,
      confirmationTtlS: DEFAULT_CONFIRMATION_TTL_S,
      ...config,
    },
    store,
    inFlight: new InFlightSends(),
    optOutList: new OptOutListCache(),
  };
}

type Env = Record<string, string | undefined>;

export const SENDING_FLAGS = [
  "--allowed-recipients",
  "--max-recipients-per-call",
  "--daily-message-limit",
  "--duplicate-window",
  "--skip-opted-out",
  "--state-dir",
  "--daily-spend-limit",
  "--person-daily-message-limit",
  "--person-daily-spend-limit",
  "--confirmation-ttl",
  "--quiet-hours",
  "--quiet-hours-action",
] as const;

export const SENDING_SWITCHES = ["--require-confirmation"] as const;

export const SENDING_HELP = `  --allowed-recipients LIST        only these E.164 numbers and prefixes (+61*) may be sent to
  --max-recipients-per-call N      refuse sends to more recipients (a list counts as its size)
  --daily-message-limit N          refuse sends beyond N messages per rolling 24 hours
  --duplicate-window S             refuse identical sends within S seconds (default 600; 0: off)
  --skip-opted-out on|off          leave out recipients who opted out (the account's opt-out
                                   list, replies of STOP; default on); off: send with a warning
  --daily-spend-limit AMOUNT       refuse sends beyond this spend per rolling 24 hours, in the
                                   account's currency, reserved from each send's price quote
  --person-daily-message-limit N   each person may send N messages per rolling 24 hours,
                                   beside the account's limit; a person is the sub of an OAuth
                                   token (--http with OAuth): with no person (stdio, the static
                                   bearer token) only the account's limits apply
  --person-daily-spend-limit AMOUNT
                                   each person's spend per rolling 24 hours, as above
  --require-confirmation           every send needs the confirmation its channel's preview tool
                                   gave for exactly that send
  --confirmation-ttl S             seconds a preview's confirmation can be used (default 600)
  --quiet-hours HH:MM-HH:MM        no sends in this window of each recipient's local time (its
                                   number's time zones; all must be outside it), e.g. 21:00-08:00
  --quiet-hours-action refuse|schedule
                                   a send in quiet hours is refused (default), or scheduled for
                                   the first minute outside them
  --state-dir DIR                  where counts, keys and the send audit are kept (see below)`;

/** The environment lines of --help for the send state. */
export const STATE_HELP = `  CLICKSEND_STATE_DIR                     send state directory (shared by the processes on this
                                          machine); default $XDG_STATE_HOME/clicksend-mcp or
                                          ~/.local/state/clicksend-mcp (%LOCALAPPDATA% on Windows);
                                          "memory" keeps it in this process only (the sandbox's default)
  CLICKSEND_REDIS_URL                     redis[s]://[user:pass@]host:port[/db]: keep the send state in
                                          Redis, shared by several HTTP instances`;

function wholeNumber(
  raw: string | undefined,
  name: string,
  min: number,
  problems: string[],
): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min) {
    problems.push(`${name} must be a whole number of at least ${min}`);
    return undefined;
  }
  return value;
}

const SWITCH: Record<string, boolean> = {
  "1": true,
  true: true,
  yes: true,
  on: true,
  "0": false,
  false: false,
  no: false,
  off: false,
};

function onOff(raw: string | undefined, name: string, problems: string[]): boolean | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = SWITCH[raw.trim().toLowerCase()];
  if (value === undefined) problems.push(`${name} must be on or off (1 or 0)`);
  return value;
}

/** An amount of money: digits with up to 4 decimals (ClickSend prices to 4). */
function amount(raw: string | undefined, name: string, problems: string[]): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\d+(\.\d{1,4})?$/.test(raw.trim())) {
    problems.push(`${name} must be an amount like 25 or 12.50, in the account's currency`);
    return undefined;
  }
  return Number(raw);
}

const QUIET_ACTIONS = ["refuse", "schedule"] as const;

/** The quiet-hours window and action; undefined when no window is set. */
function quietHours(
  window: { raw: string | undefined; name: string },
  action: { raw: string | undefined; name: string },
  problems: string[],
): QuietHours | undefined {
  const actionRaw = action.raw?.trim().toLowerCase() || undefined;
  if (actionRaw !== undefined && !QUIET_ACTIONS.includes(actionRaw as QuietHours["action"])) {
    problems.push(`${action.name} must be refuse or schedule`);
  }
  if (window.raw === undefined || window.raw.trim() === "") {
    if (actionRaw !== undefined) problems.push(`${action.name} needs CLICKSEND_QUIET_HOURS`);
    return undefined;
  }
  const parsed = parseQuietWindow(window.raw);
  if (!parsed) {
    problems.push(
      `${window.name} must be a window of the day like 21:00-08:00 (start-end, 24-hour local time, start inclusive, end exclusive; start and end differ)`,
    );
    return undefined;
  }
  return { window: parsed, action: (actionRaw as QuietHours["action"]) ?? "refuse" };
}

/** Each rule from its flag, or else its CLICKSEND_* variable. */
export function parseSendingConfig(
  flags: Map<string, string | true>,
  env: Env,
  problems: string[],
): SendingConfig {
  const pick = (flag: string, variable: string) => {
    const value = flags.get(flag);
    return typeof value === "string"
      ? { raw: value, name: flag }
      : { raw: env[variable], name: variable };
  };
  const recipients = pick("--allowed-recipients", "CLICKSEND_ALLOWED_RECIPIENTS");
  let allowedRecipients: string[] | undefined;
  if (recipients.raw !== undefined && recipients.raw.trim() !== "") {
    allowedRecipients = recipients.raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (allowedRecipients.some((rule) => !/^\+\d{1,15}\*?$/.test(rule))) {
      problems.push(
        `${recipients.name} must list E.164 numbers or prefixes ending in * (e.g. +61411111111,+44*)`,
      );
    }
  }
  const max = pick("--max-recipients-per-call", "CLICKSEND_MAX_RECIPIENTS_PER_CALL");
  const daily = pick("--daily-message-limit", "CLICKSEND_DAILY_MESSAGE_LIMIT");
  const window = pick("--duplicate-window", "CLICKSEND_DUPLICATE_WINDOW_S");
  const maxRecipientsPerCall = wholeNumber(max.raw, max.name, 1, problems);
  const dailyMessageLimit = wholeNumber(daily.raw, daily.name, 0, problems);
  const duplicateWindowS =
    wholeNumber(window.raw, window.name, 0, problems) ?? DEFAULT_DUPLICATE_WINDOW_S;
  const skip = pick("--skip-opted-out", "CLICKSEND_SKIP_OPTED_OUT");
  const skipOptedOut = onOff(skip.raw, skip.name, problems);
  const spend = pick("--daily-spend-limit", "CLICKSEND_DAILY_SPEND_LIMIT");
  const dailySpendLimit = amount(spend.raw, spend.name, problems);
  const personDaily = pick("--person-daily-message-limit", "CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT");
  const personDailyMessageLimit = wholeNumber(personDaily.raw, personDaily.name, 0, problems);
  const personSpend = pick("--person-daily-spend-limit", "CLICKSEND_PERSON_DAILY_SPEND_LIMIT");
  const personDailySpendLimit = amount(personSpend.raw, personSpend.name, problems);
  const ttl = pick("--confirmation-ttl", "CLICKSEND_CONFIRMATION_TTL_S");
  const confirmationTtlS =
    wholeNumber(ttl.raw, ttl.name, 1, problems) ?? DEFAULT_CONFIRMATION_TTL_S;
  const requireConfirmation =
    flags.get("--require-confirmation") === true ||
    onOff(env.CLICKSEND_REQUIRE_CONFIRMATION, "CLICKSEND_REQUIRE_CONFIRMATION", problems) === true;
  const quiet = quietHours(
    pick("--quiet-hours", "CLICKSEND_QUIET_HOURS"),
    pick("--quiet-hours-action", "CLICKSEND_QUIET_HOURS_ACTION"),
    problems,
  );
  const stateDir = pick("--state-dir", "CLICKSEND_STATE_DIR").raw?.trim() || undefined;
  const redisUrl = env.CLICKSEND_REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    // Never echo it: the URL may carry a password.
    problems.push("CLICKSEND_REDIS_URL must be a redis:// or rediss:// URL");
  }
  return {
    ...(allowedRecipients ? { allowedRecipients } : {}),
    ...(maxRecipientsPerCall !== undefined ? { maxRecipientsPerCall } : {}),
    ...(dailyMessageLimit !== undefined ? { dailyMessageLimit } : {}),
    duplicateWindowS,
    // On unless turned off.
    ...(skipOptedOut === false ? { skipOptedOut } : {}),
    ...(dailySpendLimit !== undefined ? { dailySpendLimit } : {}),
    ...(personDailyMessageLimit !== undefined ? { personDailyMessageLimit } : {}),
    ...(personDailySpendLimit !== undefined ? { personDailySpendLimit } : {}),
    ...(requireConfirmation ? { requireConfirmation } : {}),
    confirmationTtlS,
    ...(quiet ? { quietHours: quiet } : {}),
    ...(stateDir !== undefined ? { stateDir } : {}),
    ...(redisUrl !== undefined ? { redisUrl } : {}),
  };
}
