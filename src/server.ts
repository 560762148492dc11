import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ClickSendClient } from "./client.js";
import type { ToolContext, ToolDefinition, Toolset } from "./define-tool.js";
import { FailedResultError, formatToolError } from "./errors.js";
import { createLogger, type Logger } from "./logger.js";
import { asStructured, compact } from "./render.js";
import { parseArguments } from "./validate.js";
import { NAME, VERSION } from "./version.js";

export interface ServerOptions {
  sandbox?: boolean;
  readOnly?: boolean;
  toolsets?: Toolset[];
  logger?: Logger;
}

export const SANDBOX_NOTICE =
  "SANDBOX: simulated by the embedded ClickSend sandbox; nothing real was sent or changed.";

export function instructionsFor(sandbox: boolean): string {
  const base =
    "Works a ClickSend account: send SMS, MMS and voice messages, read message history, and manage contact lists, contacts, SMS templates and allowed email addresses. " +
    "Sends reach real people, cost money and cannot be recalled: confirm recipients and text with the user first.";
  return sandbox
    ? `${base} This server runs against the embedded sandbox: nothing is really sent and no money is spent.`
    : base;
}

/** The tools a server exposes after the operator's filters; read-only derives from readOnlyHint. */
export function selectTools(tools: ToolDefinition[], options: ServerOptions): ToolDefinition[] {
  return tools.filter(
    (tool) =>
      (!options.readOnly || tool.annotations.readOnlyHint) &&
      (!options.toolsets || options.toolsets.includes(tool.toolset)),
  );
}

/** zod states JavaScript's safe-integer bounds on every int; they tell a model nothing. */
function dropSafeIntegerBounds(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v.maximum === Number.MAX_SAFE_INTEGER || v.minimum === Number.MIN_SAFE_INTEGER) {
      const { maximum, minimum, ...rest } = v;
      return {
        ...rest,
        ...(maximum !== Number.MAX_SAFE_INTEGER ? { maximum } : {}),
        ...(minimum !== Number.MIN_SAFE_INTEGER ? { minimum } : {}),
      };
    }
  }
  return value;
}

export function toolListing(tool: ToolDefinition): Tool {
  const schema = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" });
  const { $schema: _ignored, ...inputSchema } = JSON.parse(
    JSON.stringify(schema),
    dropSafeIntegerBounds,
  ) as Record<string, unknown>;
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputSchema as Tool["inputSchema"],
    annotations: { title: tool.title, ...tool.annotations },
  };
}

export function createServer(params: {
  client: ClickSendClient;
  tools: ToolDefinition[];
  options?: ServerOptions;
}): Server {
  const options = params.options ?? {};
  const logger = options.logger ?? createLogger();
  const tools = selectTools(params.tools, options);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const server = new Server(
    { name: NAME, version: VERSION },
    {
      capabilities: { tools: { listChanged: false }, logging: {} },
      instructions: instructionsFor(options.sandbox ?? false),
    },
  );

  let listing: Tool[] | undefined;
  server.setRequestHandler(ListToolsRequestSchema, () => {
    listing ??= tools.map(toolListing);
    return { tools: listing };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    }
    const ctx: ToolContext = {
      client: params.client,
      signal: extra.signal,
      sandbox: options.sandbox ?? false,
      logger,
    };
    return callTool(tool, request.params.arguments, ctx);
  });

  return server;
}

/** Runs one tool and turns its data or its error into a compact result. Errors never escape. */
export async function callTool(
  tool: ToolDefinition,
  rawArgs: unknown,
  ctx: ToolContext,
): Promise<CallToolResult> {
  try {
    const args = parseArguments(tool.name, tool.input, rawArgs);
    const data = await tool.run(args, ctx);
    return render(data, false, ctx.sandbox);
  } catch (error) {
    const message = formatToolError(error, { readOnly: tool.annotations.readOnlyHint });
    ctx.logger.warn(`${tool.name} failed: ${message}`);
    if (error instanceof FailedResultError) {
      return render({ error: message, ...asStructured(error.data) }, true, ctx.sandbox);
    }
    return { isError: true, content: [{ type: "text", text: withNotice(message, ctx.sandbox) }] };
  }
}

function render(data: unknown, isError: boolean, sandbox: boolean): CallToolResult {
  const structured = asStructured(data);
  const text = JSON.stringify(compact(data) ?? null);
  return {
    ...(isError ? { isError: true } : {}),
    structuredContent: structured,
    content: [{ type: "text", text: withNotice(text, sandbox) }],
  };
}

function withNotice(text: string, sandbox: boolean): string {
  return sandbox ? `${SANDBOX_NOTICE}\n${text}` : text;
}
