#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { instructions } from "../tools/instructions.js";
import { toolsets } from "../tools/toolsets.js";
import { type Config, help, parseCli } from "./config.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./logger.js";
import { instructionsFor } from "./protocol/instructions.js";
import { previewSendPairs, selectTools, servedToolsets } from "./protocol/selection.js";
import { answerEarly, type EarlyPlan, type Handover } from "./startup/early-answers.js";
import { prebuiltCatalogue, prebuiltListing } from "./startup/listing.js";
import { type HostLink, linkToHost } from "./transport/host-link.js";
import { writeStderr } from "./transport/stderr.js";
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
      err: (text) => void writeStderr(text),
    });
    return;
  }
  if (process.argv[2] === "oauth-person") {
    // The built-in authorization server's people file; loaded only for this subcommand.
    const { runPersonCommand } = await import("./oauth/builtin/person-command.js");
    process.exitCode = await runPersonCommand({
      argv: process.argv.slice(3),
      env: process.env,
      stdin: process.stdin,
      out: (text) => process.stdout.write(text),
      err: (text) => void writeStderr(text),
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
      err: (text) => void writeStderr(text),
    });
    return;
  }
  let action: ReturnType<typeof parseCli>;
  try {
    action = parseCli(process.argv.slice(2), process.env, toolsets);
  } catch (error) {
    exitOnConfigError(error);
  }
  if (action.kind === "help") return void process.stdout.write(help(toolsets));
  if (action.kind === "version") return void process.stdout.write(`${VERSION}\n`);
  // Over stdio the host is watched from the start: if it goes, the process goes with it.
  const host: HostLink | undefined = action.config.http ? undefined : linkToHost();
  const plan = host && earlyPlan(action.config);
  let early: Handover | undefined;
  if (host && plan) {
    const answering = answerEarly(plan, process.stdin, host.stdout);
    early = answering.handover;
    await answering.ready;
    const answered = early.answered.size;
    if (answered > 0) {
      createLogger(action.config.logLevel).debug(`answered ${answered} request(s) before loading`);
    }
  }
  // Everything else loads now: over stdio, once the host has its tools or asked for more.
  const { serve } = await import("./serve.js");
  // A few problems show only once serving begins (an OAuth issuer this build cannot serve).
  await serve(action.config, host && { ...host, early }).catch(exitOnConfigError);
}

/** A configuration problem: one line on stderr, exit code 2. Anything else is thrown on. */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    writeStderr(`${NAME}: configuration error: ${error.problems.join("; ")}. See --help.\n`);
    process.exit(2);
  }
  throw error;
}

/** The early answers for this configuration, when the build computed what they need. */
function earlyPlan(config: Config): EarlyPlan | undefined {
  if (!prebuiltListing || !prebuiltCatalogue) return undefined;
  const { toolsets: toolsetOf, previews } = prebuiltCatalogue;
  const served = selectTools(
    [...prebuiltListing.values()].map((tool) => ({
      tool,
      name: tool.name,
      annotations: tool.annotations,
      toolset: toolsetOf[tool.name] ?? "",
    })),
    { readOnly: config.readOnly, toolsets: servedToolsets(config.toolsets, toolsets) },
  );
  const tools = served.map(({ tool }) => tool);
  return {
    serverInfo: { name: NAME, version: VERSION },
    instructions: instructionsFor(config.sandbox, instructions(served)),
    tools,
    sendCard: previewSendPairs(tools, (tool) => previews[tool.name]).length > 0,
    push: config.watchRepliesS !== undefined,
  };
}

process.on("uncaughtException", (error) => {
  writeStderr(`${NAME}: unexpected error: ${error.name}\n`);
});

main().catch((error: unknown) => {
  writeStderr(
    `${NAME}: failed to start: ${error instanceof Error ? error.message : "unknown error"}\n`,
  );
  process.exit(1);
});
