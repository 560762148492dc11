/**
 * A canary credential that must never appear in any output, in clear or as Basic auth, and the
 * built server spawned against a sandbox in this process that authenticates with it (not
 * --sandbox), so tests can inject faults and see every request.
 */
import { type Sandbox, startSandbox } from "../../sandbox/server.js";
import { type StdioServer, startServer } from "./stdio.js";

export const CANARY = { username: "canary-reliability", apiKey: "CANARY-KEY-7d3a9f0c" };
const PAIR = `${CANARY.username}:${CANARY.apiKey}`;
export const CANARY_FORMS = [
  CANARY.apiKey,
  CANARY.apiKey.toLowerCase(),
  PAIR,
  Buffer.from(PAIR).toString("base64"),
  Buffer.from(PAIR).toString("base64url"),
];

/** Where a canary form was found, as "form in place" strings; empty when clean. */
export function canaryLeaks(haystacks: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const form of CANARY_FORMS) if (text.includes(form)) leaks.push(`${form} in ${where}`);
  }
  return leaks;
}

/**
 * A sandbox with the canary credentials and the built server spawned against it, not yet
 * initialized. Debug logs go to stderr; duplicate refusal is off so repeated reads and sends
 * behave the same.
 */
export async function startCanaryServer(env: Record<string, string> = {}): Promise<{
  sandbox: Sandbox;
  server: StdioServer;
}> {
  const sandbox = await startSandbox(CANARY);
  const server = await startServer([], {
    CLICKSEND_BASE_URL: sandbox.baseUrl,
    CLICKSEND_USERNAME: CANARY.username,
    CLICKSEND_API_KEY: CANARY.apiKey,
    CLICKSEND_LOG_LEVEL: "debug",
    CLICKSEND_DUPLICATE_WINDOW_S: "0",
    CLICKSEND_TOOLSETS: "all",
    ...env,
  });
  return { sandbox, server };
}

/** startCanaryServer, initialized over raw JSON-RPC with every log sent to the client too. */
export async function canaryServer(env: Record<string, string> = {}): Promise<{
  sandbox: Sandbox;
  server: StdioServer;
}> {
  const started = await startCanaryServer(env);
  const { server } = started;
  await server.initialize();
  // Every log of every call also reaches the client as notifications/message.
  const level = await server.request("logging/setLevel", { level: "debug" });
  if (level.error) throw new Error(`logging/setLevel failed: ${level.error.message}`);
  return started;
}

/** Everything a spawned server showed: stdout, stderr, log notifications and tool results. */
export function outputsOf(server: StdioServer): Record<string, string> {
  return {
    stdout: server.stdout,
    stderr: server.stderr,
    "log notifications": JSON.stringify(server.notifications),
    "tool results": JSON.stringify([...server.responses.values()]),
  };
}
