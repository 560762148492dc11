/**
 * The built server, spawned over stdio exactly as a host starts it.
 */
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_NOTICE } from "../src/server.js";
import { VERSION } from "../src/version.js";
import { READ } from "../tools/annotations.js";
import { defaultToolsets, tools } from "../tools/index.js";
import { contentText as text } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { until } from "./support/wait.js";

describe("over the SDK client", () => {
  let client: Client;
  let server: StdioServer;

  beforeAll(async () => {
    server = await startServer(["--sandbox"]);
    client = await server.connect("e2e");
  });
  afterAll(() => client?.close());

  it("initializes as clicksend-mcp with tools and logging", () => {
    expect(client.getServerVersion()).toMatchObject({ name: "clicksend-mcp", version: VERSION });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
  });

  it("says in its instructions that it runs against the sandbox", async () => {
    const instructions = client.getInstructions() ?? "";
    expect(instructions).toContain("sandbox");
    expect(instructions).toContain("nothing is really sent");
    // Printed once the sandbox is up, which may be after the early answers (early-answers.ts).
    await until("the sandbox line on stderr", () => server.stderr.includes("sandbox mode"));
  });

  it("lists the tools of the default toolsets with their four annotation hints, the two it calls as reads", async () => {
    const { tools: listed } = await client.listTools();
    const served = tools.filter((t) => defaultToolsets.includes(t.toolset));
    expect(served.length).toBeLessThan(tools.length);
    expect(listed.map((t) => t.name)).toEqual(served.map((t) => t.name));
    // The registry sets all four hints on every tool (its type requires them; registry.test.ts).
    for (const tool of served) {
      const entry = listed.find((t) => t.name === tool.name);
      expect(entry?.inputSchema.type, tool.name).toBe("object");
      expect(entry?.annotations, tool.name).toEqual(tool.annotations);
    }
    expect(listed.find((t) => t.name === "get_account")?.annotations).toEqual(READ);
    expect(listed.find((t) => t.name === "list_countries")?.annotations).toEqual(READ);
  });

  it("calls get_account and marks the result as sandboxed", async () => {
    const result = (await client.callTool({
      name: "get_account",
      arguments: {},
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    // Hosts that show the model only structuredContent still tell it nothing was real.
    expect(result.structuredContent).toMatchObject({
      sandbox: true,
      username: "sandbox",
      balance: 25,
      currency: "AUD",
    });
    expect(text(result).startsWith(`${SANDBOX_NOTICE}\n`)).toBe(true);
    expect(text(result)).not.toContain("api_key");
  });

  it("calls list_countries with a filter", async () => {
    const result = (await client.callTool({
      name: "list_countries",
      arguments: { q: "austr" },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      sandbox: true,
      total: 2,
      countries: { AU: "Australia", AT: "Austria" },
    });
  });

  it("reports invalid arguments as a tool error, not a protocol error", async () => {
    const result = (await client.callTool({
      name: "list_countries",
      arguments: { q: 42 },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("Invalid arguments for list_countries: q:");
    expect(text(result)).toContain("Nothing was sent.");
  });

  it("rejects an unknown tool with a JSON-RPC error", async () => {
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(
      /Unknown tool: no_such_tool/,
    );
  });
});

describe("raw JSON-RPC over stdio", () => {
  let server: StdioServer;

  beforeAll(async () => {
    server = await startServer(["--sandbox"], { CLICKSEND_LOG_LEVEL: "debug" });
  });
  afterAll(() => server?.close());

  it("writes nothing but JSON-RPC 2.0 lines on stdout", async () => {
    const init = await server.initialize("raw");
    expect(init).toMatchObject({ serverInfo: { name: "clicksend-mcp" } });

    const listing = server.request("tools/list");
    const calling = server.request("tools/call", { name: "get_account", arguments: {} });
    const list = (await listing) as { result: { tools: Array<{ name: string }> } };
    expect(list.result.tools.map((t) => t.name)).toContain("get_account");
    const call = (await calling) as { result: CallToolResult };
    expect(call.result.isError).toBeFalsy();
    expect(call.result.structuredContent).toMatchObject({ username: "sandbox" });

    // EOF on stdin is the host going away: the server shuts down cleanly.
    expect(await server.end()).toBe(0);

    expect(server.stdout.endsWith("\n")).toBe(true);
    expect(server.lines.length).toBeGreaterThanOrEqual(3);
    expect(server.nonJsonRpcLines()).toEqual([]);
    // Debug logs went to stderr, never to stdout as plain text.
    expect(server.stderr).toContain("debug: GET /account -> 200");
  });
});
