#!/usr/bin/env node
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { tools } from "../tools/index.js";
import { createClickSendClient } from "./client.js";
import { type Config, HELP, parseCli } from "./config.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./logger.js";
import { createServer } from "./server.js";
import { NAME, VERSION } from "./version.js";

async function main(): Promise<void> {
  let action: ReturnType<typeof parseCli>;
  try {
    action = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${NAME}: configuration error: ${error.problems.join("; ")}. See --help.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  if (action.kind === "help") return void process.stdout.write(HELP);
  if (action.kind === "version") return void process.stdout.write(`${VERSION}\n`);
  await serve(action.config);
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  let { baseUrl, auth } = config;
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.sandbox) {
    // Loaded only when asked for, so a normal start does not pay for the simulator.
    const { startSandbox } = await import("./sandbox/server.js");
    const sandbox = await startSandbox();
    baseUrl = sandbox.baseUrl;
    auth = { kind: "basic", ...sandbox.credentials };
    closeSandbox = sandbox.close;
    process.stderr.write(
      `${NAME}: sandbox mode: simulated ClickSend at ${sandbox.baseUrl}; nothing is really sent.\n`,
    );
  }
  const client = createClickSendClient({ baseUrl, auth, timeoutMs: config.timeoutMs, logger });
  const server = createServer({
    client,
    tools,
    options: {
      sandbox: config.sandbox,
      readOnly: config.readOnly,
      ...(config.toolsets ? { toolsets: config.toolsets } : {}),
      logger,
    },
  });
  logger.addSink((level, message) => {
    server.sendLoggingMessage({ level, logger: NAME, data: message }).catch(() => {});
  });

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => {});
    await closeSandbox?.();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  process.stdin.on("end", shutdown);

  await server.connect(new StdioServerTransport());
}

process.on("uncaughtException", (error) => {
  process.stderr.write(`${NAME}: unexpected error: ${error.name}\n`);
});

main().catch((error: unknown) => {
  process.stderr.write(
    `${NAME}: failed to start: ${error instanceof Error ? error.message : "unknown error"}\n`,
  );
  process.exit(1);
});
