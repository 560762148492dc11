import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../src/logger.js";
import { createServer } from "../src/server.js";
import { tools } from "../tools/index.js";
import { type Harness, harness } from "./helpers.js";

let h: Harness;
let client: Client;

async function connect(options: Parameters<typeof createServer>[0]["options"]) {
  const server = createServer({
    client: h.client,
    tools,
    options: { logger: silentLogger, ...options },
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const c = new Client({ name: "server-test", version: "1.0.0" });
  await Promise.all([server.connect(a), c.connect(b)]);
  return c;
}

beforeAll(async () => {
  h = await harness();
  client = await connect({});
});
afterAll(() => h.close());

describe("createServer", () => {
  it("answers arguments that are not an object with invalid params naming the field, and no request", async () => {
    const before = h.sandbox.requests.length;
    await expect(
      client.request(
        { method: "tools/call", params: { name: "get_account", arguments: "{}" as never } },
        CallToolResultSchema,
      ),
    ).rejects.toThrow(/-32602.*arguments/s);
    expect(h.sandbox.requests.length).toBe(before);
    expect((await client.callTool({ name: "get_account" })).isError).toBeFalsy();
  });

  it("reports an unknown tool as invalid params, once prefixed", async () => {
    await expect(client.callTool({ name: "send_fax" })).rejects.toThrow(
      /^MCP error -32602: Unknown tool: send_fax$/,
    );
  });

  it("registers only read-only tools in read-only mode, and only the chosen toolsets", async () => {
    const readOnly = await connect({ readOnly: true });
    const names = (await readOnly.listTools()).tools.map((t) => t.name);
    expect(names).toContain("list_contacts");
    expect(names.some((n) => /^(send|create|update|delete|cancel)_/.test(n))).toBe(false);
    const sms = await connect({ toolsets: ["sms"] });
    expect((await sms.listTools()).tools.map((t) => t.name).sort()).toEqual([
      "cancel_scheduled_sms",
      "list_delivery_receipts",
      "list_inbound_sms",
      "list_sms_history",
      "send_sms",
    ]);
  });
});
