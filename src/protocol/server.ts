import {
  type CallToolResult,
  type jsonSchemaValidator,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type ProtocolEra,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  Server,
  type ServerContext,
  type Tool,
} from "@modelcontextprotocol/server";
import { rendersApps, sendCard } from "../apps/send-card.js";
import { bindClient, type ClickSendClient } from "../client/client.js";
import { type Clock, systemClock } from "../clock.js";
import { FailedResultError, formatToolError, UserInputError } from "../errors.js";
import { createLogger, type Logger, type LogSink, withRequestSink } from "../logger.js";
import type { Person } from "../oauth/person.js";
import { type PushHub, takesChannel } from "../push/hub.js";
import { numberOfConversation } from "../push/subscriptions.js";
import { auditResources, auditResourceTemplates, readAuditResource } from "../sending/audit.js";
import { createSendingPolicy, type SendingPolicy } from "../sending/policy.js";
import type {
  Catalogue,
  ResourceTemplateDefinition,
  ToolContext,
  ToolDefinition,
} from "../tool/define-tool.js";
import { AnswerNeeded } from "./ask-user.js";
import { clientCapabilitiesOf, clientNameOf } from "./client-capabilities.js";
import {
  answerCodec,
  askOverConnection,
  canElicit,
  givenAskUser,
  inputRequiredFor,
  modernAskUser,
  Unanswered,
} from "./elicitation.js";
import { instructionsFor } from "./instructions.js";
import { jsonSchemaOf } from "./json-schema.js";
import { linksOf } from "./links.js";
import { withResultEnvelope } from "./output-schema.js";
import { asStructured, renderData } from "./render.js";
import { estimateTokens, fitText, RESULT_TOKENS } from "./result-budget.js";
import { selectTools, serverCapabilities } from "./selection.js";

export { selectTools } from "./selection.js";

import { parseArguments } from "../tool/validate.js";
import { NAME, VERSION } from "../version.js";

export interface ServerOptions {
  sandbox?: boolean;
  readOnly?: boolean;
  /** Names of the toolsets to serve; all of the given tools when unset. */
  toolsets?: string[];
  logger?: Logger;
  /**
   * The lowest level sent to the client as notifications/message; logging/setLevel changes it.
   * Share one object between servers so the level outlives one stateless HTTP request.
   */
  clientLogLevel?: { level: LoggingLevel };
  /** Share one between servers so guards, counts and the send ledger outlive a request. */
  sending?: SendingPolicy;
  /** Time for tools that wait; tests give one that does not. */
  clock?: Clock;
  /**
   * Signs the state of questions asked of the host's user (2026-07-28), so that every process
   * with the same secret accepts the others' (serve.ts derives it from the credentials).
   */
  answerSecret?: string;
  /**
   * The reply watcher's pushes (stdio with --watch-replies): resource subscriptions and Claude
   * Code's channels are then declared and served.
   */
  push?: PushHub;
  /**
   * Over HTTP, CLICKSEND_WEBHOOK_SECRET: declares resources.subscribe, so the HTTP handler's
   * subscriptions/listen streams honour conversation URIs (its event bus delivers them), and
   * lets create_automation_rule point a URL rule at the webhook.
   */
  webhookSecret?: string;
  /** Who this request is from (HTTP with OAuth; serve.ts makes a server per request). */
  person?: Person;
}

/** Questions one 2025 call may ask in a row (a spent answer is asked again, not looped on). */
const ROUNDS = 3;

const SEVERITY: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/**
 * tools/list and the resource template list change only when the process restarts with other
 * flags: 2026-07-28 clients may keep them for a while (the audit's resource list changes daily).
 */
const STATIC_FOR_AN_HOUR = { ttlMs: 3_600_000, cacheScope: "private" } as const;

export const SANDBOX_NOTICE =
  "SANDBOX: simulated by the embedded ClickSend sandbox; nothing real was sent or changed.";

const withInstructions = (text: string | undefined) => (text ? { instructions: text } : {});

export function toolListing(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchemaOf(tool.input, "input") as Tool["inputSchema"],
    outputSchema: jsonSchemaOf(withResultEnvelope(tool.output), "output") as Tool["outputSchema"],
    annotations: { ...tool.annotations },
  };
}

const listings = new WeakMap<ToolDefinition, Tool>();

/** A tool's listing: from the build's precomputed listing when given, else computed once. */
function listingOf(tool: ToolDefinition, prebuilt?: ReadonlyMap<string, Tool>): Tool {
  let listing = prebuilt?.get(tool.name) ?? listings.get(tool);
  if (!listing) {
    listing = toolListing(tool);
    listings.set(tool, listing);
  }
  return listing;
}

/**
 * The SDK checks the answer to an elicitInput() call with a JSON Schema validator and builds an
 * Ajv one unless given another. This server does ask (src/elicitation.ts), but through
 * input_required, whose answers the SDK leaves unchecked and the server reads with zod; it never
 * calls elicitInput(), so it needs no validator, and the bundle leaves Ajv out.
 */
const noElicitation: jsonSchemaValidator = {
  getValidator() {
    throw new Error(`${NAME} reads elicitation answers with zod, not JSON Schema.`);
  },
};

export function createServer(params: {
  client: ClickSendClient;
  tools: ToolDefinition[];
  /** The catalogue's instructions to the model, for the tools served (Catalogue.instructions). */
  instructions?: Catalogue["instructions"] | undefined;
  /** The catalogue's resource templates; each is served when its toolset is. */
  resources?: ResourceTemplateDefinition[] | undefined;
  options?: ServerOptions;
  /** tools/list of the whole catalogue as computed at build time (see src/startup/listing.ts), by name. */
  listing?: ReadonlyMap<string, Tool> | undefined;
  /** The protocol generation this instance serves (the SDK's serving entries say which). */
  era?: ProtocolEra;
}): Server {
  const options = params.options ?? {};
  const era = params.era ?? "legacy";
  const logger = options.logger ?? createLogger();
  const tools = selectTools(params.tools, options);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const served = new Set(tools.map((tool) => tool.toolset));
  const templates = (params.resources ?? []).filter((r) => served.has(r.toolset));
  const sending = options.sending ?? createSendingPolicy();
  // The send card (MCP Apps): served only to clients that render apps (src/apps/send-card.ts).
  const card = sendCard(tools);
  const codec = answerCodec(options.answerSecret);
  const server = new Server(
    { name: NAME, version: VERSION },
    {
      capabilities: serverCapabilities(
        card !== undefined,
        options.push !== undefined,
        options.webhookSecret !== undefined,
      ),
      ...withInstructions(instructionsFor(options.sandbox ?? false, params.instructions?.(tools))),
      jsonSchemaValidator: noElicitation,
      // Answers to a question a send asked (elicitation) come back with this state: checked first.
      requestState: { verify: codec.verify },
      cacheHints: {
        "tools/list": STATIC_FOR_AN_HOUR,
        "resources/templates/list": STATIC_FOR_AN_HOUR,
        "server/discover": STATIC_FOR_AN_HOUR,
      },
    },
  );

  const clientLogLevel = options.clientLogLevel ?? { level: "info" };
  server.setRequestHandler("logging/setLevel", (request) => {
    clientLogLevel.level = request.params.level;
    return {};
  });

  let listing: Tool[] | undefined;
  let appListing: Tool[] | undefined;
  const apps = (extra: ServerContext) =>
    card && rendersApps(era, server, extra) ? card : undefined;
  const connection = options.push?.attach(server, era);
  /** A 2026-07-28 client says in each request's envelope who it is and what it takes. */
  const noteChannel = (extra: ServerContext) => {
    if (
      connection &&
      era === "modern" &&
      takesChannel(clientCapabilitiesOf(era, server, extra), clientNameOf(era, server, extra))
    ) {
      connection.channel = true;
    }
  };
  if (connection) {
    const conversation = (uri: string) => {
      if (numberOfConversation(uri) !== undefined) return uri;
      throw new ResourceNotFoundError(
        uri,
        "Only conversations can be subscribed to: clicksend://conversations/{number}, the number in E.164.",
      );
    };
    server.setRequestHandler("resources/subscribe", (request) => {
      if (!connection.subscriptions.add(conversation(request.params.uri))) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Too many subscriptions.");
      }
      return {};
    });
    server.setRequestHandler("resources/unsubscribe", (request) => {
      connection.subscriptions.remove(request.params.uri);
      return {};
    });
  }
  server.setRequestHandler("tools/list", (_request, extra) => {
    noteChannel(extra);
    listing ??= tools.map((tool) => listingOf(tool, params.listing));
    const app = apps(extra);
    if (app) appListing ??= app.listing(listing, listingOf(app.tool));
    return { tools: app ? (appListing as Tool[]) : listing };
  });

  server.setRequestHandler("resources/list", (_request, extra) => ({
    resources: [...auditResources(sending.store.now()), ...(apps(extra)?.resources() ?? [])],
  }));
  server.setRequestHandler("resources/templates/list", () => ({
    resourceTemplates: [
      ...auditResourceTemplates,
      ...templates.map(({ uriTemplate, name, title, description, mimeType }) => ({
        uriTemplate,
        name,
        ...(title ? { title } : {}),
        description,
        mimeType,
      })),
    ],
  }));
  /** What a tool call or a resource read works with, bound to this request's cancellation. */
  const contextFor = (extra: ServerContext, progress: ToolContext["progress"]): ToolContext => ({
    client: bindClient(params.client, extra.mcpReq.signal),
    signal: extra.mcpReq.signal,
    sandbox: options.sandbox ?? false,
    logger,
    sending,
    clock: options.clock ?? systemClock,
    progress,
    ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
    ...(options.person ? { person: options.person } : {}),
  });

  server.setRequestHandler("resources/read", async (request, extra) => {
    const { uri } = request.params;
    const view = apps(extra)?.read(uri);
    if (view) return { contents: [view] };
    try {
      const template = templates.find((t) => t.matches(uri));
      if (template) {
        const ctx = contextFor(extra, () => {});
        const data = asStructured(await template.read(uri, ctx));
        // As every tool result in sandbox mode says, a resource read from the sandbox says so.
        const text = JSON.stringify(ctx.sandbox ? { sandbox: true, ...data } : data);
        return { contents: [{ uri, mimeType: template.mimeType, text }] };
      }
      return { contents: [await readAuditResource(uri, sending.store)] };
    } catch (error) {
      // -32602 with the URI in its data, as the protocol asks of a resource that is not there.
      if (error instanceof UserInputError) throw new ResourceNotFoundError(uri, error.message);
      throw error;
    }
  });

  server.setRequestHandler("tools/call", async (request, extra) => {
    const app = request.params.name === card?.tool.name ? apps(extra) : undefined;
    const tool = byName.get(request.params.name) ?? app?.tool;
    if (!tool) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown tool: ${request.params.name}`,
      );
    }
    noteChannel(extra);
    const ctx = contextFor(extra, progressReporter(extra));
    if (canElicit(era, server, extra)) {
      ctx.askUser = era === "modern" ? modernAskUser(extra) : givenAskUser();
    }
    const threshold = era === "modern" ? requestedLogLevel(extra) : clientLogLevel.level;
    // Logs of this call go to its own response stream (over HTTP, the only one there is).
    const notify: LogSink = (level, message) => {
      if (!threshold || SEVERITY.indexOf(level) < SEVERITY.indexOf(threshold)) return;
      extra.mcpReq
        .notify({
          method: "notifications/message",
          params: { level, logger: NAME, data: message },
        })
        .catch(() => {});
    };
    const call = (c: ToolContext) =>
      withRequestSink(notify, () => callTool(tool, request.params.arguments, c));
    for (let round = 1; ; round++) {
      try {
        return await call(ctx);
      } catch (error) {
        if (!(error instanceof AnswerNeeded)) throw error;
        if (era === "modern") return inputRequiredFor(error.question, extra, codec);
        const unanswered = (why: string): CallToolResult => ({
          isError: true,
          content: [
            {
              type: "text",
              text: withNotice(`Nothing was sent: the person at the host ${why}.`, ctx.sandbox),
            },
          ],
        });
        if (round > ROUNDS) return unanswered(`was asked ${ROUNDS} times in this call`);
        const { question } = error;
        try {
          const action = await askOverConnection(
            question,
            extra,
            sending.config.confirmationTtlS * 1000,
          );
          ctx.askUser = givenAskUser({ subject: question.subject, action, token: question.token });
        } catch (failure) {
          if (!(failure instanceof Unanswered)) throw failure;
          return unanswered(
            failure.why === "timeout"
              ? `did not answer within ${sending.config.confirmationTtlS} s (CLICKSEND_CONFIRMATION_TTL_S)`
              : failure.why === "cancelled"
                ? "was not asked to the end: the host cancelled the call"
                : "could not be asked: the host did not take the question",
          );
        }
      }
    }
  });

  return server;
}

/**
 * A 2026-07-28 request asks for log notifications per request, in its _meta; without that it
 * gets none (the server still logs to stderr).
 */
function requestedLogLevel(extra: ServerContext): LoggingLevel | undefined {
  const envelope: Record<string, unknown> = extra.mcpReq.envelope ?? {};
  const level = envelope[LOG_LEVEL_META_KEY];
  return SEVERITY.find((known) => known === level);
}

/**
 * notifications/progress for this call when the host sent a progressToken; else nothing. The
 * protocol wants progress to grow, so a report that does not is dropped here.
 */
function progressReporter(extra: ServerContext): ToolContext["progress"] {
  const progressToken = extra.mcpReq._meta?.progressToken;
  let last = Number.NEGATIVE_INFINITY;
  return (done, total, message) => {
    if (progressToken === undefined || !(done > last)) return;
    last = done;
    extra.mcpReq
      .notify({
        method: "notifications/progress",
        params: {
          progressToken,
          progress: done,
          ...(total !== undefined ? { total } : {}),
          ...(message ? { message } : {}),
        },
      })
      .catch(() => {});
  };
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
    // Not a failure: the host must ask its user, and the call runs again with the answer.
    if (error instanceof AnswerNeeded) throw error;
    const message = formatToolError(error, {
      readOnly: tool.annotations.readOnlyHint,
      ids: tool.ids,
    });
    ctx.logger.warn(`${tool.name} failed: ${message}`);
    if (error instanceof FailedResultError) {
      return render({ error: message, ...asStructured(error.data) }, true, ctx.sandbox);
    }
    const text = withNotice(fitText(message, RESULT_TOKENS - notice(ctx.sandbox)), ctx.sandbox);
    return { isError: true, content: [{ type: "text", text }] };
  }
}

function render(data: unknown, isError: boolean, sandbox: boolean): CallToolResult {
  const { structured, text, nothingShown } = renderData(data, RESULT_TOKENS - notice(sandbox));
  return {
    // A result with none of its data cannot satisfy the tool's outputSchema; the model must ask for less.
    ...(isError || nothingShown ? { isError: true } : {}),
    // Hosts that pass the model only structuredContent must still say nothing real happened.
    structuredContent: sandbox ? { sandbox: true, ...structured } : structured,
    content: [
      { type: "text", text: withNotice(text, sandbox) },
      ...linksOf(data).map((link) => ({ type: "resource_link" as const, ...link })),
    ],
  };
}

/** What the sandbox notice takes of a result's budget. */
const notice = (sandbox: boolean) => (sandbox ? estimateTokens(SANDBOX_NOTICE) + 1 : 0);

function withNotice(text: string, sandbox: boolean): string {
  return sandbox ? `${SANDBOX_NOTICE}\n${text}` : text;
}
