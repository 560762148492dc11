#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { toolsets } from "../tools/toolsets.js";
import { type Config, help, parseCli } from "./config.js";
import { answerEarly, type EarlyPlan, type Handover } from "./early-answers.js";
import { ConfigError } from "./errors.js";
import { instructionsFor } from "./instructions.js";
import { prebuiltCatalogue, prebuiltListing } from "./listing.js";
import { createLogger } from "./logger.js";
import { previewSendPairs, selectTools, servedToolsets } from "./selection.js";
import { NAME, VERSION } from "./version.js";

async function main(): Promise<void> {
  if (process.argv[2] === "setup") {
    // Loaded only for setup, so a server start does not pay for it.
    const { runSetup } = await import("./setup/index.js");
    process.exitCode = runSetup({
      argv: process.argv.slice(3),
      env: process.env,
      platform: process.platform,
      node: process.execPath,
      cli: fileURLToPath(import.meta.url),
      toolsets,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
    return;
  }
  if (process.argv[2] === "state") {
    const { runStateInit, accountScope } = await import("./state/init-command.js");
    process.exitCode = await runStateInit({
      argv: process.argv.slice(3),
      env: process.env,
      parse: (argv, env) => {
        const parsed = parseCli(argv, env, toolsets);
        if (parsed.kind !== "serve") throw new ConfigError(["state init takes no --help"]);
        const { config } = parsed;
        return {
          ...(config.sending.redisUrl ? { redisUrl: config.sending.redisUrl } : {}),
          scope: accountScope(config.auth, config.baseUrl),
        };
      },
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
    return;
  }
  let action: ReturnType<typeof parseCli>;
  try {
    action = parseCli(process.argv.slice(2), process.env, toolsets);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${NAME}: configuration error: ${error.problems.join("; ")}. See --help.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  if (action.kind === "help") return void process.stdout.write(help(toolsets));
  if (action.kind === "version") return void process.stdout.write(`${VERSION}\n`);
  const plan = action.config.http ? undefined : earlyPlan(action.config);
  let early: Handover | undefined;
  if (plan) {
    const answering = answerEarly(plan, process.stdin, process.stdout);
    early = answering.handover;
    await answering.ready;
    const answered = early.answered.size;
    if (answered > 0) {
      createLogger(action.config.logLevel).debug(`answered ${answered} request(s) before loading`);
    }
  }
  // Everything else loads now: over stdio, once the host has its tools or asked for more.
  const { serve } = await import("./serve.js");
  await serve(action.config, early);
}

/** The early answers for this configuration, when the build computed what they need. */
function earlyPlan(config: Config): EarlyPlan | undefined {
  if (!prebuiltListing || !prebuiltCatalogue) return undefined;
  const toolsetOf = prebuiltCatalogue.toolsets;
  const tools = selectTools(
    [...prebuiltListing.values()].map((tool) => ({
      tool,
      name: tool.name,
      annotations: tool.annotations,
      toolset: toolsetOf[tool.name] ?? "",
    })),
    { readOnly: config.readOnly, toolsets: servedToolsets(config.toolsets, toolsets) },
  ).map(({ tool }) => tool);
  return {
    serverInfo: { name: NAME, version: VERSION },
    instructions: instructionsFor(config.sandbox, prebuiltCatalogue.instructions),
    tools,
    sendCard: previewSendPairs(tools).length > 0,
  };
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
