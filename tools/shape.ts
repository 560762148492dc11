/** Small helpers for shaping ClickSend objects into what an agent needs. */

/** A copy of a ClickSend object without the keys an agent does not need. */
export function omit<T extends object>(value: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!keys.includes(key)) out[key] = v;
  }
  return out as Partial<T>;
}

/** A refinement: true when at least one of the fields has a value. */
export const hasAny =
  (fields: readonly string[]) =>
  (value: Record<string, unknown>): boolean =>
    fields.some((field) => value[field] !== undefined);
