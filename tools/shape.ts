import type { Query } from "../src/client.js";
import type { ToolAnnotations, ToolContext } from "../src/define-tool.js";
import type { Page } from "../src/envelope.js";

/** Shared result shapes and annotations for the resource tools (templates, lists, contacts, email). */

export const CREATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

/** An update overwrites fields; repeating it with the same arguments changes nothing more. */
export const UPDATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true,
};

/** Deleting again has no further effect (ClickSend answers 404), so a delete is idempotent. */
export const DELETE: ToolAnnotations = UPDATE;

/** A copy of a ClickSend object without the keys an agent does not need. */
export function omit<T extends object>(value: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!keys.includes(key)) out[key] = v;
  }
  return out as Partial<T>;
}

/** One normalised page ({items, page, per_page, total, last_page, has_more}) with trimmed items. */
export async function trimmedPage<T>(
  { client, signal }: ToolContext,
  path: string,
  query: Query,
  trim: (item: T) => unknown,
): Promise<Page<unknown>> {
  const page = await client.getPage<T>(path, query, { signal });
  return { ...page, items: page.items.map(trim) };
}

/** Creates (POST) or updates (PUT), then returns the object ClickSend answers with, trimmed. */
export async function saved<T>(
  { client, signal }: ToolContext,
  method: "post" | "put",
  path: string,
  body: unknown,
  trim: (item: T) => unknown,
): Promise<unknown> {
  return trim(await client[method]<T>(path, body, { signal }));
}

/** Deletes, then says what was deleted by id: {deleted: {list_id: 5}}. */
export async function deleted(
  { client, signal }: ToolContext,
  path: string,
  ids: Record<string, number>,
): Promise<{ deleted: Record<string, number> }> {
  await client.delete(path, { signal });
  return { deleted: ids };
}

/** A refinement: true when at least one of the fields has a value. */
export const hasAny =
  (fields: readonly string[]) =>
  (value: Record<string, unknown>): boolean =>
    fields.some((field) => value[field] !== undefined);
