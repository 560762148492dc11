import * as z from "zod";

/**
 * ClickSend's search and sort (clicksend-api.md §1.7): q=field:value,field2:value and
 * order_by=field:asc|desc. ClickSend ignores what it cannot read, so a bare "+61444444444"
 * lists everyone and a misspelt sort field sorts nothing: both are checked here, against the
 * fields each endpoint documents, and refused with the syntax before any request.
 */
export interface SearchFields {
  /** Fields q may search. */
  q: readonly string[];
  /** Fields order_by may sort on. */
  order: readonly string[];
  /** The field a bare phone number in q searches. */
  phone?: string;
  /** The field a bare email address in q searches. */
  email?: string;
  /** The field any other bare text in q searches, where a tool has one obvious field. */
  text?: string;
}

/** A number as people write it: digits and separators, an optional leading +. */
const PHONE_LIKE = /^\+?[\d\s().-]+$/;
const EMAIL_LIKE = /^[^\s@,:]+@[^\s@,:]+\.[^\s@,:]+$/;
const FIELD_FIRST = /^\s*[A-Za-z_]\w*\s*:/;

class SearchInputError extends Error {}
function refuse(message: string): never {
  throw new SearchInputError(message);
}

const isPhoneLike = (value: string) => PHONE_LIKE.test(value) && /\d/.test(value);

/** A value as ClickSend stores it: a number without its spaces, dashes and brackets. */
const cleanValue = (value: string) => (isPhoneLike(value) ? value.replace(/[\s().-]/g, "") : value);

/** A bare q ("+61444444444", "ann@example.com") as the field:value it means, or a refusal. */
function bareTerm(value: string, fields: SearchFields): string {
  if (fields.phone && isPhoneLike(value)) {
    if (!value.startsWith("+")) {
      refuse(
        `"${value.slice(0, 40)}" alone is read as a phone number, which must be E.164 (+61444444444); or search part of one with ${fields.phone}:444444444`,
      );
    }
    return `${fields.phone}:${cleanValue(value)}`;
  }
  if (fields.email && EMAIL_LIKE.test(value)) return `${fields.email}:${value}`;
  if (fields.text && !value.includes(",")) return `${fields.text}:${value}`;
  return refuse(`"${value.slice(0, 60)}" is not a search: write field:value[,field2:value]`);
}

/** q checked and written the one way ClickSend reads it: field:value,field2:value. */
function parseQuery(q: string, fields: SearchFields): string {
  const trimmed = q.trim();
  if (!trimmed) refuse("must not be empty; omit q to list everything");
  if (!FIELD_FIRST.test(trimmed)) return bareTerm(trimmed, fields);
  return trimmed
    .split(",")
    .map((term) => {
      const at = term.indexOf(":");
      if (at < 0) refuse(`"${term.trim()}" has no field: write field:value, separated by commas`);
      const field = term.slice(0, at).trim().toLowerCase();
      const value = term.slice(at + 1).trim();
      if (!fields.q.includes(field)) refuse(`unknown field "${field}"`);
      if (!value) refuse(`${field} has no value`);
      return `${field}:${cleanValue(value)}`;
    })
    .join(",");
}

/** order_by checked and written as field:asc or field:desc. */
function parseOrder(orderBy: string, fields: SearchFields): string {
  const match = /^\s*([A-Za-z_]\w*)\s*(?::\s*(asc|desc)\s*)?$/i.exec(orderBy);
  if (!match) refuse(`"${orderBy.slice(0, 60)}" is not a sort: write field:asc or field:desc`);
  const field = (match[1] as string).toLowerCase();
  if (!fields.order.includes(field)) refuse(`unknown field "${field}"`);
  return `${field}:${(match[2] ?? "asc").toLowerCase()}`;
}

/** A string input that parse() checks and rewrites; a refusal ends with the rule to follow. */
function checked(max: number, parse: (value: string) => string, rule: string) {
  return z
    .string()
    .max(max)
    .transform((value, ctx) => {
      try {
        return parse(value);
      } catch (error) {
        if (!(error instanceof SearchInputError)) throw error;
        ctx.addIssue({ code: "custom", message: `${error.message}. ${rule}` });
        return z.NEVER;
      }
    });
}

/** Words for what a bare q means, for the description. */
function bareHint({ phone, email, text }: SearchFields): string {
  const kinds = [
    ...(phone ? [["a +number", phone]] : []),
    ...(email ? [["an email", email]] : []),
    ...(text ? [["any text", text]] : []),
  ];
  if (!kinds.length) return "";
  const [what, where] = [0, 1].map((i) => kinds.map((kind) => kind[i]).join(" or "));
  return `; alone, ${what} searches ${where}`;
}

/** Field names for a description, numbered runs shortened: custom_1..custom_4. */
const listed = (fields: readonly string[]) =>
  fields
    .join(", ")
    .replace(/\b(\w+_)1(, \1\d)+/g, (run, stem) => `${stem}1..${stem}${run.split(", ").length}`);

/** q and order_by for an endpoint with these documented fields. */
export function searchInput(fields: SearchFields) {
  const qFields = listed(fields.q);
  const orderFields = listed(fields.order);
  return {
    q: checked(
      500,
      (value) => parseQuery(value, fields),
      `Search as field:value[,field2:value]; fields: ${qFields}`,
    )
      .optional()
      .describe(
        `Search "field:value,field2:value" (case-insensitive); fields: ${qFields}${bareHint(fields)}`,
      ),
    order_by: checked(
      100,
      (value) => parseOrder(value, fields),
      `Sort as field:asc or field:desc; fields: ${orderFields}`,
    )
      .optional()
      .describe(`Sort "field:asc" or "field:desc"; fields: ${orderFields}`),
  };
}
