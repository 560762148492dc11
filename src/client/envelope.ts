import * as z from "zod";

/**
 * ClickSend wraps every answer in {http_code, response_code, response_msg, data}.
 * The schema is lenient: response_code has been seen as a number, and extra keys appear.
 */
export const envelopeSchema = z.looseObject({
  http_code: z.coerce.number().optional(),
  response_code: z.union([z.string(), z.number()]).transform(String),
  response_msg: z.string().optional().default(""),
  data: z.unknown(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const numLike = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/** Laravel's paginator, as ClickSend returns it (Laravel 5 and 8 styles both seen). */
const laravelPageSchema = z.looseObject({
  total: numLike,
  per_page: numLike,
  current_page: numLike,
  last_page: numLike,
  data: z.array(z.unknown()),
});

export interface Page<T> {
  items: T[];
  page: number;
  per_page: number;
  total: number;
  last_page: number;
  has_more: boolean;
}

export function normalisePage<T = unknown>(data: unknown): Page<T> {
  const page = laravelPageSchema.parse(data);
  return {
    items: page.data as T[],
    page: page.current_page,
    per_page: page.per_page,
    total: page.total,
    // ClickSend says last_page 0 for an empty result; page 1 is still a page, just empty.
    last_page: Math.max(1, page.last_page),
    has_more: page.current_page < page.last_page,
  };
}

/** The response codes that mean the call worked. */
export function isSuccessCode(code: string): boolean {
  return code === "SUCCESS" || code === "CREATED" || code === "NO_CONTENT";
}

/** ClickSend's 400 bodies may carry a {field: message} map in data. */
export function fieldErrorsOf(data: unknown): Record<string, string> {
  if (!data || typeof data !== "object" || Array.isArray(data)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string") out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      out[key] = value.join(" ");
    }
  }
  return out;
}
