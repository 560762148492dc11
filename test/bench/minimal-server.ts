/**
 * The yardstick for cold start: a one-tool MCP server written the ordinary way (McpServer,
 * StdioServerTransport, a zod input shape), compiled by tsc and run unbundled from node_modules.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as z from "zod";

const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool(
  "echo",
  { description: "Echo a text back.", inputSchema: { text: z.string().describe("Text to echo") } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
await server.connect(new StdioServerTransport());
