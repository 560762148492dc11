import * as z from "zod";

/** zod states JavaScript's safe-integer bounds on every int; they tell a model nothing. */
function dropSafeIntegerBounds(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v.maximum === Number.MAX_SAFE_INTEGER || v.minimum === Number.MIN_SAFE_INTEGER) {
      const { maximum, minimum, ...rest } = v;
      return {
        ...rest,
        ...(maximum !== undefined && maximum !== Number.MAX_SAFE_INTEGER ? { maximum } : {}),
        ...(minimum !== undefined && minimum !== Number.MIN_SAFE_INTEGER ? { minimum } : {}),
      };
    }
  }
  return value;
}

/** A zod schema as tools/list carries it: plain JSON Schema, no $schema, no safe-integer bounds. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  const { $schema: _ignored, ...plain } = JSON.parse(
    JSON.stringify(converted),
    dropSafeIntegerBounds,
  ) as Record<string, unknown>;
  return plain;
}
