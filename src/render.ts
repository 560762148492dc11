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

export function asStructured(value: unknown): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return compact(value) as Record<string, unknown>;
  }
  return { result: compact(value) };
}

/** A tool's data as a result carries it: structured content and its JSON text, within budget. */
export function renderData(
  data: unknown,
  budget = RESULT_TOKENS,
): { structured: Record<string, unknown>; text: string } {
  const { value, text } = fitToBudget(compact(data), budget);
  return { structured: asStructured(value), text };
}
