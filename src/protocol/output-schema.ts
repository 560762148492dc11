import * as z from "zod";
import type { AnyObjectSchema } from "../tool/define-tool.js";
import { truncatedOutput } from "./result-budget.js";

/**
 * What any tool's structured content may carry besides its own fields: `sandbox` (server.ts
 * render) and `truncated` (fitToBudget). A cut page's `has_more` is the page's own field.
 */
const envelope = {
  sandbox: z.literal(true).optional(),
  truncated: truncatedOutput.optional(),
};

/** A tool's output schema as tools/list advertises it: its own fields and the envelope's. */
export const withResultEnvelope = (output: AnyObjectSchema): AnyObjectSchema =>
  output.extend(envelope);
