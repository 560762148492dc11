import { fitToBudget, RESULT_TOKENS } from "./result-budget.js";

/** Drops nulls, undefined and empty strings, recursively: the model pays for every byte. */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === null || v === undefined || v === "") continue;
      out[key] = compact(v);
    }
    return out;
  }
  return value;
}

/** A compacted value as structured content: an object as it is, anything else under result. */
const structuredOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { result: value };

export const asStructured = (value: unknown): Record<string, unknown> =>
  structuredOf(compact(value));

/**
 * A tool's data as a result carries it: structured content and its JSON text, within budget;
 * `nothingShown` when none of the data fit.
 */
export function renderData(
  data: unknown,
  budget = RESULT_TOKENS,
): { structured: Record<string, unknown>; text: string; nothingShown?: true } {
  // fitToBudget only cuts what compact() left: the value needs no second pass.
  const { value, text, nothingShown } = fitToBudget(compact(data), budget);
  return { structured: structuredOf(value), text, ...(nothingShown ? { nothingShown } : {}) };
}
