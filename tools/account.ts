import * as z from "zod";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "./annotations.js";
import { optionalText } from "./outputs.js";

interface Account {
  user_id: number;
  username: string;
  user_email?: string;
  account_name?: string;
  balance: string | number;
  country?: string;
  default_country_sms?: string;
  timezone?: string;
  setting_sms_message_char_limit?: number;
  on_trial?: number;
  _currency?: { currency_name_short?: string };
}

export const getAccount = defineTool({
  name: "get_account",
  toolset: "account",
  title: "Get account",
  description: "Show the ClickSend account: balance, currency, default country and SMS part limit.",
  input: () => z.strictObject({}),
  annotations: READ,
  output: z.object({
    user_id: z.number(),
    username: optionalText,
    email: optionalText,
    account_name: optionalText,
    balance: z.number(),
    currency: optionalText,
    country: optionalText,
    default_country_sms: optionalText,
    timezone: optionalText,
    sms_part_limit: z.number().optional(),
    on_trial: z.boolean().optional(),
  }),
  run: async (_args, { client }) => {
    const a = await client.get<Account>("account");
    // Only what an agent needs; never _subaccount, which carries a live API key.
    return {
      user_id: a.user_id,
      username: a.username,
      email: a.user_email,
      account_name: a.account_name,
      balance: Number(a.balance),
      currency: a._currency?.currency_name_short,
      country: a.country,
      default_country_sms: a.default_country_sms,
      timezone: a.timezone,
      sms_part_limit: a.setting_sms_message_char_limit,
      ...(a.on_trial ? { on_trial: true } : {}),
    };
  },
});

export const listCountries = defineTool({
  name: "list_countries",
  toolset: "account",
  title: "List countries",
  description:
    "List ISO country codes ClickSend knows, for the country fields of sends and contacts.",
  input: () =>
    z.strictObject({
      q: z
        .string()
        .max(60)
        .optional()
        .describe("Only codes or names containing this (filtered locally)"),
    }),
  annotations: READ,
  output: z.object({ total: z.int(), countries: z.record(z.string(), z.string()) }),
  run: async ({ q }, { client }) => {
    const list = await client.get<Array<{ code: string; value: string }>>("countries");
    const needle = q?.toLowerCase();
    const countries: Record<string, string> = {};
    for (const { code, value } of list) {
      if (!needle || code.toLowerCase().includes(needle) || value.toLowerCase().includes(needle)) {
        countries[code] = value;
      }
    }
    return { total: Object.keys(countries).length, countries };
  },
});
