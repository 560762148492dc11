/**
 * The live JS heap of a spawned server, after full garbage collections, through its inspector:
 * what a leak grows. RSS also moves with when V8 collects and how malloc keeps freed pages, by
 * several percent either way on a loaded machine, so it cannot tell a leak from noise.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { StdioServer } from "./stdio.js";
import { HANG_MS, until } from "./wait.js";

/** Starts the inspector on a free loopback port; Node prints its address to stderr. */
export const INSPECT_LOOPBACK = "--inspect=127.0.0.1:0";

const PROBE = fileURLToPath(new URL("./live-heap-probe.mjs", import.meta.url));

/** The inspector address of a server started with INSPECT_LOOPBACK. */
export async function inspectorUrl(server: StdioServer): Promise<string> {
  const address = () => /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(server.stderr)?.[0];
  await until("the inspector address in the server's stderr", () => !!address());
  return address() as string;
}

/**
 * What the server's JS heap holds after full GCs (Node 20 has WebSocket behind a flag), apart
 * from compiled code, which grows for a while as more paths get hot, and what that code takes.
 */
export async function liveHeap(url: string): Promise<{ data: number; code: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--experimental-websocket", "--no-warnings", PROBE, url],
    { timeout: HANG_MS },
  );
  const used = JSON.parse(stdout) as { data: number; code: number };
  if (!(used.data > 0)) throw new Error(`heap probe printed ${stdout}`);
  return used;
}
