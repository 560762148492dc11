import type * as z from "zod";
import { UserInputError } from "../errors.js";

/** Formats a zod path as messages[0].to */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(arguments)";
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? ` in ${field}` : "";
    // A schema may explain its own unknown keys (a field that moved); zod's default says nothing.
    const why = issue.message.startsWith("Unrecognized key") ? "" : ` (${issue.message})`;
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}${where}${why}`;
  }
  return `${field}: ${issue.message}`;
}

export function parseArguments<I extends z.ZodType>(
  toolName: string,
  schema: I,
  args: unknown,
): z.output<I> {
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    const got = Array.isArray(args) ? "an array" : `a ${typeof args}`;
    throw new UserInputError(
      `Invalid arguments for ${toolName}: (arguments): must be a JSON object of named fields, not ${got}.`,
      ["(arguments)"],
    );
  }
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5);
  const more = result.error.issues.length - issues.length;
  const fields = [...new Set(issues.map((i) => fieldPath(i.path)))];
  throw new UserInputError(
    `Invalid arguments for ${toolName}: ${issues.map(describeIssue).join("; ")}${more > 0 ? ` (and ${more} more)` : ""}.`,
    fields,
  );
}
