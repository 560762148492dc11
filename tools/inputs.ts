import { z } from "zod";

/** Shared input pieces. Field names are ClickSend's wire names. */

export const id = (what: string) => z.number().int().positive().describe(what);

export const pageInput = {
  page: z.number().int().min(1).optional().describe("Page, from 1"),
  limit: z.number().int().min(15).max(100).optional().describe("Per page, 15-100 (default 15)"),
};

/** Unix seconds or an ISO 8601 date-time with offset; always sent as Unix seconds. */
export const unixTime = z
  .union([
    z.number().int().nonnegative(),
    z.iso.datetime({ offset: true, message: "must be Unix seconds or an ISO 8601 date-time" }),
  ])
  .transform((value) => (typeof value === "number" ? value : Math.floor(Date.parse(value) / 1000)));

export const searchInput = (fields: string) => ({
  q: z
    .string()
    .max(500)
    .optional()
    .describe(`Search "field:value,field2:value" (case-insensitive); fields: ${fields}`),
  order_by: z.string().max(100).optional().describe('Sort "field:asc" or "field:desc"'),
});

export const e164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number like +61411111111");
