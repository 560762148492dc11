/**
 * A canary credential, driven through the built server at debug log level: it must never
 * appear on stdout, on stderr or in any tool result, in clear or in its Basic-auth forms.
 */
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Sandbox } from "../sandbox/server.js";
import { CANARY, canaryLeaks, startCanaryServer } from "./support/canary.js";
import type { StdioServer } from "./support/stdio.js";

let sandbox: Sandbox;
let server: StdioServer;
let client: Client;
const seen: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  seen.push(JSON.stringify(result));
  return result;
}

beforeAll(async () => {
  ({ sandbox, server } = await startCanaryServer());
  client = await server.connect("canary");
});

afterAll(async () => {
  await client?.close();
  await sandbox?.close();
});

it("never shows the API key, the username:key pair or its Base64 anywhere", async () => {
  seen.push(JSON.stringify(await client.listTools()));

  const account = await call("get_account");
  expect(account.isError).toBeFalsy();
  expect(account.structuredContent).toMatchObject({ username: CANARY.username });

  sandbox.faults.inject({ path: "account", fault: { type: "status", status: 401 } });
  const rejected = await call("get_account");
  expect(rejected.isError).toBe(true);
  expect(JSON.stringify(rejected)).toContain("CLICKSEND_API_KEY");

  sandbox.faults.inject({ path: "account", times: 3, fault: { type: "status", status: 500 } });
  expect((await call("get_account")).isError).toBe(true);
  sandbox.faults.inject({ path: "account", fault: { type: "html", status: 200 } });
  expect((await call("get_account")).isError).toBe(true);

  expect((await call("list_countries", { q: "new" })).isError).toBeFalsy();
  expect((await call("get_account", { api_key: CANARY.apiKey })).isError).toBe(true);
  expect((await call("list_countries", { q: 7 })).isError).toBe(true);

  await client.close();

  // The canary was really used: the sandbox authenticated every account call with it.
  const accountCalls = sandbox.requests.filter((r) => r.path === "account");
  expect(accountCalls.length).toBe(6);
  expect(accountCalls[0]?.user).toBe(CANARY.username);
  // And debug logging was really on, so the logs had every chance to leak it.
  expect(server.stderr).toMatch(/debug: .*GET \/account -> 200/);
  expect(server.stdout.length).toBeGreaterThan(1000);

  expect(
    canaryLeaks({ stdout: server.stdout, stderr: server.stderr, results: seen.join("\n") }),
  ).toEqual([]);
});
