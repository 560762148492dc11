import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { RequestRecord } from "../sandbox/server.js";
import type { ToolDefinition } from "../src/define-tool.js";
import { dataOf, type Harness, textOf } from "./helpers.js";

/** Calls a tool that must refuse its arguments locally: isError, and no request left the process. */
export async function refused(h: Harness, tool: ToolDefinition, args: unknown): Promise<string> {
  const before = h.sandbox.requests.length;
  const result = await h.call(tool, args);
  expect(result.isError).toBe(true);
  expect(h.sandbox.requests.length).toBe(before);
  return textOf(result);
}

/** Calls a tool that must succeed; returns what the model sees and what the sandbox received. */
export async function succeeded<T = Record<string, unknown>>(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
): Promise<{ data: T; text: string; request: RequestRecord; result: CallToolResult }> {
  const result = await h.call(tool, args);
  expect(result.isError, textOf(result)).toBeFalsy();
  const request = h.sandbox.requests.at(-1) as RequestRecord;
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
  return { text: textOf(result), request: h.sandbox.requests.at(-1) as RequestRecord };
}
