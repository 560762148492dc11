import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import { TEST_ACCOUNT_KEY } from "../sandbox/state.js";
import type { ToolDefinition } from "../src/define-tool.js";
import { type Harness, textOf } from "./helpers.js";

/** Shared by the SMS, MMS and voice tool tests. */

/** Asserts the call is refused naming what to fix, and that no request left the process. */
export async function expectRefused(
  h: Harness,
  tool: ToolDefinition,
  args: unknown,
  ...fragments: string[]
): Promise<void> {
  const before = h.sandbox.requests.length;
  const result = await h.call(tool, args);
  expect(result.isError).toBe(true);
  for (const fragment of fragments) expect(textOf(result)).toContain(fragment);
  expect(textOf(result)).toContain("Nothing was sent.");
  expect(h.sandbox.requests.length).toBe(before);
}

/** Runs a tool as one of ClickSend's test accounts (nocredit, notactive, banned). */
export function callAs(
  h: Harness,
  username: string,
  tool: ToolDefinition,
  args: unknown,
): Promise<CallToolResult> {
  return h.callWith({ auth: { kind: "basic", username, apiKey: TEST_ACCOUNT_KEY } })(tool, args);
}

/** The last request the sandbox received. */
export const lastRequest = (h: Harness) => h.sandbox.requests.at(-1);

/** The main sandbox user's balance. */
export const balanceOf = (h: Harness) => h.sandbox.state.users[0]?.balance ?? Number.NaN;
