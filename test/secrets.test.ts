/**
 * A canary credential, driven through the built server at debug log level: it must never
 * appear on stdout, on stderr or in any tool result, in clear or in its Basic-auth forms.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { ensureBuilt } from "./build.js";
import { cleanEnv, RecordingStdioTransport } from "./stdio.js";

const USERNAME = "canary-user";
const API_KEY = "CANARY-KEY-5f1e";
const PAIR = `${USERNAME}:${API_KEY}`;
const FORBIDDEN = [API_KEY, API_KEY.toLowerCase(), PAIR, Buffer.from(PAIR).toString("base64")];

let sandbox: Sandbox;
let transport: RecordingStdioTransport;
let client: Client;
const seen: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  seen.push(JSON.stringify(result));
  return result;
}

beforeAll(async () => {
  const cli = await ensureBuilt();
  sandbox = await startSandbox({ username: USERNAME, apiKey: API_KEY });
  transport = new RecordingStdioTransport(
    process.execPath,
    [cli],
    cleanEnv({
      CLICKSEND_BASE_URL: sandbox.baseUrl,
      CLICKSEND_USERNAME: USERNAME,
      CLICKSEND_API_KEY: API_KEY,
      CLICKSEND_LOG_LEVEL: "debug",
    }),
  );
  client = new Client({ name: "canary", version: "1.0.0" });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await sandbox?.close();
});

it("never shows the API key, the username:key pair or its Base64 anywhere", async () => {
  seen.push(JSON.stringify(await client.listTools()));

  const account = await call("get_account");
  expect(account.isError).toBeFalsy();
  expect(account.structuredContent).toMatchObject({ username: USERNAME });

  sandbox.faults.inject({ path: "account", fault: { type: "status", status: 401 } });
  const rejected = await call("get_account");
  expect(rejected.isError).toBe(true);
  expect(JSON.stringify(rejected)).toContain("CLICKSEND_API_KEY");

  sandbox.faults.inject({ path: "account", times: 3, fault: { type: "status", status: 500 } });
  expect((await call("get_account")).isError).toBe(true);
  sandbox.faults.inject({ path: "account", fault: { type: "html", status: 200 } });
  expect((await call("get_account")).isError).toBe(true);

  expect((await call("list_countries", { q: "new" })).isError).toBeFalsy();
  expect((await call("get_account", { api_key: API_KEY })).isError).toBe(true);
  expect((await call("list_countries", { q: 7 })).isError).toBe(true);

  await client.close();

  // The canary was really used: the sandbox authenticated every account call with it.
  const accountCalls = sandbox.requests.filter((r) => r.path === "account");
  expect(accountCalls.length).toBe(6);
  expect(accountCalls[0]?.user).toBe(USERNAME);
  // And debug logging was really on, so the logs had every chance to leak it.
  expect(transport.stderr).toMatch(/debug: .*GET \/account -> 200/);
  expect(transport.stdout.length).toBeGreaterThan(1000);

  const haystacks = {
    stdout: transport.stdout,
    stderr: transport.stderr,
    results: seen.join("\n"),
  };
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of FORBIDDEN) {
      expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  }
});
