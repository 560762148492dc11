import type { McpServerFactory } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { catalogue } from "../tools/index.js";
import { warmCallPath } from "./call-warm-up.js";
import { type ClickSendClient, createClickSendClient, WARM_UP_AFTER_MS } from "./client.js";
import type { Config } from "./config.js";
import type { Handover } from "./early-answers.js";
import { prebuiltListing } from "./listing.js";
import { createLogger, type Logger } from "./logger.js";
import { servedToolsets } from "./selection.js";
import { createSendingPolicy } from "./sending/policy.js";
import { createServer, type ServerOptions } from "./server.js";
import { accountScope, openSendStore } from "./state/open.js";
import type { SendStore } from "./state/store.js";
import { StdioTransport } from "./stdio.js";
import { NAME } from "./version.js";

/**
 * Serving, once the configuration is read: everything a start loads after the early answers
 * (early-answers.ts), the SDK, zod and the catalogue included.
 */
export async function serve(config: Config, early?: Handover): Promise<void> {
  const logger = createLogger(config.logLevel);
  let { baseUrl, auth } = config;
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.sandbox) {
    // Loaded only when asked for, so a normal start does not pay for the simulator.
    const { startSandbox } = await import("../sandbox/server.js");
    const sandbox = await startSandbox();
    baseUrl = sandbox.baseUrl;
    auth = { kind: "basic", ...sandbox.credentials };
    closeSandbox = sandbox.close;
    process.stderr.write(
      `${NAME}: sandbox mode: simulated ClickSend at ${sandbox.baseUrl}; nothing is really sent.\n`,
    );
  }
  const client = createClickSendClient({ baseUrl, auth, timeoutMs: config.timeoutMs, logger });
  const store = await openSendStore({
    stateDir: config.sending.stateDir,
    redisUrl: config.sending.redisUrl,
    sandbox: config.sandbox,
    scope: accountScope(auth, baseUrl),
    env: process.env,
  });
  logger.debug(`send state: ${store.kind} at ${store.location}`);
  const newServer = serverFactory(config, client, logger, store);

  let closeTransport: () => Promise<unknown> = async () => {};
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await closeTransport().catch(() => {});
    await store.close().catch(() => {});
    await closeSandbox?.();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  if (config.http) {
    // Loaded only with --http: stdio start-up does not pay for the HTTP stack.
    const { startHttpServer } = await import("./http.js");
    const http = await startHttpServer({ ...config.http, createServer: newServer, logger });
    closeTransport = http.close;
    process.stderr.write(
      `${NAME}: serving MCP over Streamable HTTP at ${http.url}${
        config.http.token ? " (bearer token required)" : ""
      }\n`,
    );
  } else {
    // One connection, pinned to the protocol generation the host opens it with.
    const transport = new StdioTransport(logger, undefined, undefined, undefined, early);
    const connection = serveStdio(newServer, { transport });
    closeTransport = () => connection.close();
    if (early?.ended()) setImmediate(shutdown);
    else process.stdin.on("end", shutdown);
  }
  setTimeout(warmCallPath, WARM_UP_AFTER_MS).unref();
}

/**
 * The one way this process makes an MCP Server, for stdio (once) and HTTP (per request). State
 * that must outlive a request (the client, the logger, the client's log level, operator guards)
 * is created here once; each call makes only the Server.
 */
function serverFactory(
  config: Config,
  client: ClickSendClient,
  logger: Logger,
  store: SendStore,
): McpServerFactory {
  const { tools, toolsets, instructions } = catalogue;
  const options: ServerOptions = {
    sandbox: config.sandbox,
    readOnly: config.readOnly,
    toolsets: servedToolsets(config.toolsets, toolsets),
    logger,
    clientLogLevel: { level: config.logLevel },
    sending: createSendingPolicy(config.sending, store),
  };
  return ({ era }) =>
    createServer({ client, tools, instructions, options, listing: prebuiltListing, era });
}
