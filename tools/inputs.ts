import * as z from "zod";

/** Shared input pieces. Field names are ClickSend's wire names. */

export const id = (what: string) => z.number().int().positive().describe(what);

export const pageInput = {
  page: z.number().int().min(1).optional(),
  limit: z.number().int().min(15).max(100).optional().describe("Per page (default 15)"),
};

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * Unix seconds or an ISO 8601 date-time with offset; always sent as Unix seconds.
 * The ISO check is a refinement so tools/list carries format "date-time", not zod's 400-byte regex.
 */
export const unixTime = z
  .union([
    z.number().int().nonnegative(),
    z
      .string()
      .refine(
        (value) => isoDateTime.safeParse(value).success,
        "must be Unix seconds or an ISO 8601 date-time",
      )
      .meta({ format: "date-time" }),
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

const emailCheck = z.email();

/** A valid email address; checked by refinement so tools/list says format "email", not a regex. */
export const email = z
  .string()
  .refine((value) => emailCheck.safeParse(value).success, "must be a valid email address")
  .meta({ format: "email" });

/** A string with something in it; sent as given (no trimming of a message body). */
export const nonBlank = z.string().refine((value) => value.trim() !== "", "must not be blank");
