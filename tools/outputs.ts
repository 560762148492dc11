import * as z from "zod";

/**
 * Shared output pieces: results as structuredContent carries them after render() drops nulls and
 * empty strings, so anything ClickSend may leave empty is optional.
 */

/** A page of items: src/client/envelope.ts's Page, as every list tool returns it. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    page: z.int(),
    per_page: z.int(),
    total: z.int(),
    last_page: z.int(),
    has_more: z.boolean(),
  });

/** An id or count ClickSend gives as a number or a numeric string. */
export const numberOrString = z.union([z.number(), z.string()]);

/** A third-party field of a record read loosely (fenceField): text, or a number or boolean as given. */
export const loose = z.union([z.string(), z.number(), z.boolean()]);

export const optionalText = z.string().optional();
