import type * as z from "zod";
import type { RequestClient } from "./client.js";
import type { Logger } from "./logger.js";
import type { SendingPolicy } from "./sending/policy.js";

export const TOOLSETS = [
  "account",
  "sms",
  "templates",
  "mms",
  "voice",
  "lists",
  "contacts",
  "email",
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** All four hints are required: hosts gate confirmations on them and read-only mode derives from them. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  /** This call's view of the shared client: cancelling the call aborts its requests. */
  client: RequestClient;
  /** Aborted when the host cancels the call. */
  signal: AbortSignal;
  /** True when talking to the embedded simulator: nothing real is sent. */
  sandbox: boolean;
  logger: Logger;
  /** Operator guards and the send store, shared across the process (and further, by the store). */
  sending: SendingPolicy;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds tools of every input type.
export type AnyObjectSchema = z.ZodObject<any>;

export interface ToolDefinition<I extends AnyObjectSchema = AnyObjectSchema> {
  name: string;
  toolset: Toolset;
  title: string;
  description: string;
  input: I;
  annotations: ToolAnnotations;
  run(args: z.output<I>, ctx: ToolContext): Promise<unknown>;
}

/** Identity helper that keeps the handler's argument type tied to its schema. */
export function defineTool<I extends AnyObjectSchema>(tool: ToolDefinition<I>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}
