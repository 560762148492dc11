import * as z from "zod";
import { defineTool } from "../src/tool/define-tool.js";
import { isoTime, numberOf, round4 } from "../src/values.js";
import { READ } from "./annotations.js";
import { optionalText } from "./outputs.js";

interface Tally {
  count?: number | string;
  price?: number | string;
}
interface Counts {
  outbound?: Tally;
  inbound?: Tally;
  bounced?: Tally;
}
interface SmsStatistics {
  total?: Counts;
  stats?: Array<Counts & { date?: number | string }>;
  /** S1's view-sms-statistics names it _currency, as every answer that carries one (§11). */
  _currency?: { currency_name_short?: string };
}

const KINDS = ["outbound", "inbound", "bounced"] as const;
type Kind = (typeof KINDS)[number];

const tally = z.object({ count: z.number(), price: z.number() });
const dayOutput = z.object({
  date: optionalText,
  ...(Object.fromEntries(
    KINDS.flatMap((kind) => [
      [kind, z.number().optional()],
      [`${kind}_price`, z.number().optional()],
    ]),
  ) as Record<Kind | `${Kind}_price`, z.ZodOptional<z.ZodNumber>>),
});

/** One day as a flat row: counts and prices, zeros left out. */
function dayRow({ date, ...counts }: Counts & { date?: number | string }) {
  const row: z.input<typeof dayOutput> = {
    // Unix seconds in ClickSend's examples; a date string is kept as given.
    date: typeof date === "string" && !numberOf(date) ? date : isoTime(date)?.slice(0, 10),
  };
  for (const kind of KINDS) {
    const count = numberOf(counts[kind]?.count) ?? 0;
    const price = numberOf(counts[kind]?.price) ?? 0;
    if (count) row[kind] = count;
    if (price) row[`${kind}_price`] = round4(price);
  }
  return row;
}

const totals = (total: Counts = {}) =>
  Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      {
        count: numberOf(total[kind]?.count) ?? 0,
        price: round4(numberOf(total[kind]?.price) ?? 0),
      },
    ]),
  ) as Record<Kind, z.input<typeof tally>>;

export const getSmsStatistics = defineTool({
  name: "get_sms_statistics",
  toolset: "statistics",
  title: "Get SMS statistics",
  description:
    "SMS totals and per-day counts and prices: sent (outbound), received (inbound), bounced. Days without messages are left out.",
  input: () => z.strictObject({}),
  annotations: READ,
  output: z.object({
    currency: optionalText,
    total: z.object({ outbound: tally, inbound: tally, bounced: tally }),
    days: z.array(dayOutput),
  }),
  run: async (_args, { client }) => {
    const data = await client.get<SmsStatistics>("statistics/sms");
    return {
      currency: data._currency?.currency_name_short,
      total: totals(data.total),
      days: (data.stats ?? []).map(dayRow).filter((row) => Object.keys(row).length > 1),
    };
  },
});
