/**
 * What a tool call's result says (its text, its data, whether anything was sent), and the three
 * outcomes a test expects of a call through the harness: succeeded, failed at ClickSend, or
 * refused locally with no request.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { expect } from "vitest";
import type { RequestRecord } from "../../sandbox/server.js";
import { SANDBOX_NOTICE } from "../../src/protocol/server.js";
import type { ToolDefinition } from "../../src/tool/define-tool.js";
import { type Harness, lastRequest } from "./harness.js";

/** Every text part of a result, as the model reads it (the sandbox notice included). */
export function contentText(result: CallToolResult): string {
  return (result.content as Array<{ type: string; text?: string }>)
    .map((c) => c.text ?? "")
    .join("\n");
}

/** The text the model sees, without the sandbox notice line. */
export function textOf(result: CallToolResult): string {
  const text = contentText(result);
  return text.startsWith(SANDBOX_NOTICE) ? text.slice(SANDBOX_NOTICE.length + 1) : text;
}

/** The structured result as a plain object. */
export function dataOf<T = Record<string, unknown>>(result: CallToolResult): T {
  // The server marks every sandbox result `sandbox: true`; the tool's own data is the rest.
  const { sandbox: _marker, ...data } = (result.structuredContent ?? {}) as Record<string, unknown>;
  return data as T;
}

/** A failed write says one of these: nothing was sent, or it may have been. */
export const NOTHING_SENT = /Nothing was sent/;
export const MAYBE_SENT = /\bmay (already )?have (been delivered|taken effect)/;

/** Refused locally (bad arguments, a guard): formatToolError ends exactly so. */
export const isLocalRefusal = (result: CallToolResult, text: string) =>
  result.isError === true && text.endsWith("Nothing was sent.");

/**
 * Calls a tool that must refuse its arguments locally: isError saying nothing was sent, with
 * every fragment, and no request left the process. Returns the text.
 */
export async function refused(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
  ...fragments: string[]
): Promise<string> {
  return refusedAfter(h, "nothing", tool, args, ...fragments);
}

/**
 * Like refused, for a rule that needs what the account holds (the opt-out list, a list's
 * members): reads may happen first, nothing else.
 */
export async function refusedAfterReads(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
  ...fragments: string[]
): Promise<string> {
  return refusedAfter(h, "reads", tool, args, ...fragments);
}

async function refusedAfter(
  h: Harness,
  allowed: "nothing" | "reads",
  tool: ToolDefinition,
  args: unknown,
  ...fragments: string[]
): Promise<string> {
  const before = h.sandbox.requests.length;
  const result = await h.call(tool, args);
  const text = textOf(result);
  expect(result.isError, text).toBe(true);
  for (const fragment of fragments) expect(text).toContain(fragment);
  expect(text).toContain("Nothing was sent.");
  const made = h.sandbox.requests.slice(before);
  expect(allowed === "reads" ? made.filter((r) => r.method !== "GET") : made).toEqual([]);
  return text;
}

/** Calls a tool that must succeed; returns what the model sees and what the sandbox received. */
export async function succeeded<T = Record<string, unknown>>(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
): Promise<{ data: T; text: string; request: RequestRecord; result: CallToolResult }> {
  const result = await h.call(tool, args);
  expect(result.isError, textOf(result)).toBeFalsy();
  const request = lastRequest(h) as RequestRecord;
  return { data: dataOf<T>(result), text: textOf(result), request, result };
}

/** Calls a tool that ClickSend (the sandbox) refuses; returns the error text and the request. */
export async function failed(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
): Promise<{ text: string; request: RequestRecord }> {
  const result = await h.call(tool, args);
  expect(result.isError).toBe(true);
  return { text: textOf(result), request: lastRequest(h) as RequestRecord };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
