import * as z from "zod";
import { shorten } from "../tool/untrusted.js";

/**
 * Hosts warn when a tool result passes 10,000 tokens and refuse it at 25,000 (Claude Code's
 * defaults). A result is cut to this estimate, which stays under the refusal even for text that
 * tokenizes badly, and says what was cut and how to get the rest.
 */
export const RESULT_TOKENS = 10_000;

const LIMIT = `the host's limit on a tool result (~${RESULT_TOKENS.toLocaleString("en-US")} tokens)`;

/** ClickSend's smallest page: a continuation cannot ask for fewer items. */
const MIN_PAGE_LIMIT = 15;

/** A deliberately high estimate: four ASCII characters a token, any other character one. */
export function estimateTokens(text: string): number {
  let other = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) other++;
  return Math.ceil((text.length - other) / 4) + other;
}

const toText = (value: unknown) => JSON.stringify(value) ?? "null";

/** Plain text (an error message) within budget tokens: its head, marked with how much was cut. */
export function fitText(text: string, budget = RESULT_TOKENS): string {
  // A character is at most one token; the marker is less than 30.
  return estimateTokens(text) <= budget ? text : shorten(text, Math.max(0, budget - 30));
}

type Data = Record<string, unknown>;
const isRecord = (value: unknown): value is Data =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface Page extends Data {
  items: unknown[];
  page: number;
  per_page: number;
}
const isPage = (value: Data): value is Page =>
  Array.isArray(value.items) &&
  typeof value.page === "number" &&
  typeof value.per_page === "number";

/** What a cut result says in `truncated`, as tools/list's outputSchema declares it. */
export const truncatedOutput = z.object({
  field: z.string().optional(),
  shown: z.int().optional(),
  left_out: z.int().optional(),
  next: z.object({ page: z.int(), limit: z.int() }).optional(),
  strings_cut_to: z.int().optional(),
  note: z.string(),
});
type Truncated = z.input<typeof truncatedOutput>;

/**
 * The (compacted) data a tool returned, and its JSON text, within budget tokens. Over budget,
 * the largest list is cut to the items that fit (a page says which page and limit continue it
 * exactly), then long strings are shortened; `truncated` says what was cut and how to get it.
 * When not even that fits, `value` is only `truncated` and `nothingShown` is set.
 */
export function fitToBudget(
  data: unknown,
  budget = RESULT_TOKENS,
): { value: unknown; text: string; nothingShown?: true } {
  const fits = (text: string) => text.length <= budget || estimateTokens(text) <= budget;
  const text = toText(data);
  if (fits(text)) return { value: data, text };

  let candidate = data;
  const cut = isRecord(data) ? largestList(data) : undefined;
  if (isRecord(data) && cut) {
    const all = data[cut] as unknown[];
    const floor = isPage(data) ? Math.min(all.length, MIN_PAGE_LIMIT) : 1;
    const keep = (count: number) => withItemsCut(data, cut, count);
    const count = largestFitting(floor, all.length - 1, (n) => fits(toText(keep(n))));
    if (count !== undefined) {
      const value = keep(count);
      return { value, text: toText(value) };
    }
    if (floor < all.length) candidate = keep(floor);
  }

  const longest = longestString(candidate);
  const max = largestFitting(0, longest - 1, (n) => fits(toText(withStringsCut(candidate, n))));
  if (max !== undefined) {
    const value = withStringsCut(candidate, max);
    return { value, text: toText(value) };
  }
  const truncated: Truncated = {
    note: `The result (~${estimateTokens(text).toLocaleString("en-US")} tokens) is over ${LIMIT}; ask for less (a smaller limit, a filter).`,
  };
  const value = { truncated };
  return { value, text: toText(value), nothingShown: true };
}

/** The largest n in [low, high] for which fits(n), given fits is monotone; undefined if none. */
function largestFitting(
  low: number,
  high: number,
  fits: (n: number) => boolean,
): number | undefined {
  let found: number | undefined;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** The top-level array with the longest JSON, if any has more than one item. */
function largestList(data: Data): string | undefined {
  let best: string | undefined;
  let bestLength = 0;
  for (const [key, value] of Object.entries(data)) {
    if (!Array.isArray(value) || value.length < 2) continue;
    const length = toText(value).length;
    if (length > bestLength) [best, bestLength] = [key, length];
  }
  return best;
}

/** The data with only the first `count` items of data[key], saying how to get the rest. */
function withItemsCut(data: Data, key: string, count: number): Data {
  const all = data[key] as unknown[];
  const why = `Cut to keep under ${LIMIT}`;
  if (!isPage(data) || key !== "items") {
    return {
      ...data,
      [key]: all.slice(0, count),
      truncated: {
        field: key,
        shown: count,
        left_out: all.length - count,
        note: `${why}; ask for less (a filter, fewer at a time) to see the rest.`,
      } satisfies Truncated,
    };
  }
  const next = continuation(data.page, data.per_page, count);
  return {
    ...data,
    items: all.slice(0, next.shown),
    has_more: true,
    truncated: {
      shown: next.shown,
      left_out: all.length - next.shown,
      next: { page: next.page, limit: next.limit },
      note: `${why}. The rest: the same call with page ${next.page} and limit ${next.limit}, then the pages after it; or narrow the query.`,
    } satisfies Truncated,
  };
}

/**
 * Which page and limit continue, exactly, a page of `perPage` items of which `fit` fit: the
 * limit (at least ClickSend's minimum) whose pages line up with the most items shown.
 */
export function continuation(page: number, perPage: number, fit: number) {
  const before = (page - 1) * perPage;
  let best = { shown: 0, page: 1, limit: fit };
  for (let limit = fit; limit >= Math.min(fit, MIN_PAGE_LIMIT); limit--) {
    const shown = fit - ((before + fit) % limit);
    if (shown > best.shown) best = { shown, page: (before + shown) / limit + 1, limit };
  }
  return best;
}

function longestString(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce((most, v) => Math.max(most, longestString(v)), 0);
  if (isRecord(value)) return longestString(Object.values(value));
  return 0;
}

/** Every string shortened to max characters, but the note of what an earlier cut left out. */
function withStringsCut(value: unknown, max: number): Data {
  const { truncated, ...rest } = isRecord(value) ? value : { result: value };
  const earlier: Partial<Truncated> = isRecord(truncated) ? truncated : {};
  const note = `Long texts were cut to ${max} characters (marked …[+N chars]) to keep under ${LIMIT}; ask for less (a filter, fewer at a time) to see them whole.`;
  return {
    ...(shortenAll(rest, max) as Data),
    truncated: {
      ...earlier,
      strings_cut_to: max,
      note: [earlier.note, note].filter(Boolean).join(" "),
    } satisfies Truncated,
  };
}

function shortenAll(value: unknown, max: number): unknown {
  if (typeof value === "string") return shorten(value, max);
  if (Array.isArray(value)) return value.map((v) => shortenAll(v, max));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortenAll(v, max)]));
  }
  return value;
}
