/** Shared by the fuzz, fault-matrix and no-double-send tests. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Sandbox } from "../sandbox/server.js";
import type { Harness, ToolCaller } from "./helpers.js";

/** A failed write says one of these: nothing was sent, or it may have been. */
export const NOTHING_SENT = /Nothing was sent/;
export const MAYBE_SENT = /\bmay (already )?have (been delivered|taken effect)/;

/** Refused locally (bad arguments, a guard): formatToolError ends exactly so. */
export const isLocalRefusal = (result: CallToolResult, text: string) =>
  result.isError === true && text.endsWith("Nothing was sent.");

/** Calls a tool like harness.call, through a client with its own timeout (same fast retries). */
export function callWithTimeout(h: Harness, timeoutMs: number): ToolCaller {
  return h.callWith({ timeoutMs });
}

/** Rejects when the promise takes longer than ms: a hang is a failure, not a stuck test. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until the sandbox has handled every request it received (a delayed one is handled after
 * its delay even when the client gave up), except those dropped before handling.
 */
export async function settled(sandbox: Sandbox, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  const open = () => sandbox.requests.some((r) => r.status === undefined && r.fault !== "drop");
  while (open() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
