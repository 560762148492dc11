/**
 * The built server, spawned over stdio exactly as a host starts it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type CallToolResult, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_NOTICE } from "../src/server.js";
import { VERSION } from "../src/version.js";
import { ensureBuilt } from "./build.js";
import { cleanEnv } from "./stdio.js";

let cli: string;
beforeAll(async () => {
  cli = await ensureBuilt();
}, 120_000);

const text = (result: CallToolResult) =>
  (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? "").join("\n");

describe("over the SDK client", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = "";

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, "--sandbox"],
      env: cleanEnv(),
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(transport);
  }, 30_000);
  afterAll(() => client?.close());

  it("initializes as clicksend-mcp with tools and logging", () => {
    expect(client.getServerVersion()).toMatchObject({ name: "clicksend-mcp", version: VERSION });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
  });

  it("says in its instructions that it runs against the sandbox", () => {
    const instructions = client.getInstructions() ?? "";
    expect(instructions).toContain("sandbox");
    expect(instructions).toContain("nothing is really sent");
    expect(stderr).toContain("sandbox mode");
  });

  it("lists get_account and list_countries with all four annotation hints", async () => {
    const { tools } = await client.listTools();
    for (const name of ["get_account", "list_countries"]) {
      const tool = tools.find((t) => t.name === name);
      expect(tool, name).toBeDefined();
      expect(tool?.inputSchema.type).toBe("object");
      expect(tool?.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      });
    }
    for (const tool of tools) {
      for (const hint of [
        "readOnlyHint",
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
      ] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe("boolean");
      }
    }
  });

  it("calls get_account and marks the result as sandboxed", async () => {
    const result = (await client.callTool({
      name: "get_account",
      arguments: {},
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
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
  let child: ChildProcessWithoutNullStreams;
  let stdout = "";
  let stderr = "";
  let exitCode: number | null | undefined;
  const exited = () =>
    new Promise<void>((resolve) => {
      if (exitCode !== undefined) resolve();
      else child.on("exit", () => resolve());
    });

  /** Resolves with the parsed response to a request id once its line has arrived. */
  const responseTo = (id: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${id}:\n${stdout}`)), 10_000);
      const check = () => {
        for (const line of stdout.split("\n")) {
          if (!line.includes(`"id":${id}`)) continue;
          try {
            const message = JSON.parse(line) as Record<string, unknown>;
            if (message.id === id) {
              clearTimeout(timer);
              child.stdout.off("data", check);
              resolve(message);
              return;
            }
          } catch {}
        }
      };
      child.stdout.on("data", check);
      check();
    });

  const send = (message: Record<string, unknown>) =>
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

  beforeAll(() => {
    child = spawn(process.execPath, [cli, "--sandbox"], {
      env: cleanEnv({ CLICKSEND_LOG_LEVEL: "debug" }),
      stdio: "pipe",
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("exit", (code) => {
      exitCode = code;
    });
  });
  afterAll(() => {
    if (exitCode === undefined) child.kill();
  });

  it("writes nothing but JSON-RPC 2.0 lines on stdout", async () => {
    send({
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "raw", version: "0" },
      },
    });
    const init = await responseTo(1);
    expect(init.result).toMatchObject({ serverInfo: { name: "clicksend-mcp" } });

    send({ method: "notifications/initialized" });
    send({ id: 2, method: "tools/list" });
    send({ id: 3, method: "tools/call", params: { name: "get_account", arguments: {} } });
    const list = (await responseTo(2)) as { result: { tools: Array<{ name: string }> } };
    expect(list.result.tools.map((t) => t.name)).toContain("get_account");
    const call = (await responseTo(3)) as { result: CallToolResult };
    expect(call.result.isError).toBeFalsy();
    expect(call.result.structuredContent).toMatchObject({ username: "sandbox" });

    // EOF on stdin is the host going away: the server shuts down cleanly.
    child.stdin.end();
    await exited();
    expect(exitCode).toBe(0);

    expect(stdout.endsWith("\n")).toBe(true);
    const lines = stdout.slice(0, -1).split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      let message: { jsonrpc?: unknown };
      try {
        message = JSON.parse(line);
      } catch {
        throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
      }
      expect(message.jsonrpc).toBe("2.0");
    }
    // Debug logs went to stderr, never to stdout as plain text.
    expect(stderr).toContain("debug: GET /account -> 200");
  });
});
