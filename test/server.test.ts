import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tools } from "../tools/index.js";
import { type Harness, harness } from "./support/harness.js";

let h: Harness;
let client: Client;

const namesOf = (listed: Array<{ name: string }>) => listed.map((t) => t.name);

beforeAll(async () => {
  h = await harness();
  client = await h.connect();
});
afterAll(() => h.close());

describe("createServer", () => {
  it("answers arguments that are not an object with invalid params naming the field, and no request", async () => {
    const before = h.sandbox.requests.length;
    await expect(
      client.request({
        method: "tools/call",
        params: { name: "get_account", arguments: "{}" as never },
      }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/"arguments"[\s\S]*expected record, received string/),
    });
    expect(h.sandbox.requests.length).toBe(before);
    expect((await client.callTool({ name: "get_account" })).isError).toBeFalsy();
  });

  it("reports an unknown tool as invalid params", async () => {
    await expect(client.callTool({ name: "send_fax" })).rejects.toMatchObject({
      code: -32602,
      message: "Unknown tool: send_fax",
    });
  });

  it("registers only read-only tools in read-only mode, and only the chosen toolsets", async () => {
    const readOnlyTools = namesOf(tools.filter((t) => t.annotations.readOnlyHint));
    const smsTools = namesOf(tools.filter((t) => t.toolset === "sms"));
    // Both filters really leave some tools out and keep some in.
    for (const chosen of [readOnlyTools, smsTools]) {
      expect(chosen.length).toBeGreaterThan(0);
      expect(chosen.length).toBeLessThan(tools.length);
    }
    const readOnly = await h.connect({ readOnly: true });
    const names = namesOf((await readOnly.listTools()).tools);
    expect(names).toContain("list_contacts");
    expect(names.some((n) => /^(send|create|update|delete|cancel)_/.test(n))).toBe(false);
    expect(names).toEqual(readOnlyTools);
    const sms = await h.connect({ toolsets: ["sms"] });
    expect(namesOf((await sms.listTools()).tools)).toEqual(smsTools);
  });
});
