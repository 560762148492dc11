/**
 * `clicksend-mcp setup <host>`: adds this install to a host's MCP config, or prints the entry.
 * The entry starts this very install (absolute node and cli.js), so it works from any folder.
 */
import { resolve } from "node:path";
import { parseCli } from "../config.js";
import { ConfigError } from "../errors.js";
import { SENDING_FLAGS } from "../sending/policy.js";
import type { ToolsetDefinition } from "../tool/define-tool.js";
import {
  type Env,
  findHost,
  HOSTS,
  type Host,
  type HostEntry,
  hostIds,
  type Launch,
  type Platform,
} from "./hosts.js";
import { JsonMergeError, jsonSnippet, mergeJson } from "./json-config.js";
import { LockError } from "./lock.js";
import { checkRemoteUrl, checkVariable, isNoRemote, REMOTE } from "./remote.js";
import { mergeTable, renderTable, TomlMergeError } from "./toml.js";
import { editFile, WriteError } from "./write.js";

export interface SetupContext {
  argv: string[];
  env: Env;
  platform: NodeJS.Platform;
  /** The node that runs this process, and this install's cli.js. */
  node: string;
  cli: string;
  toolsets: readonly ToolsetDefinition[];
  out(text: string): void;
  err(text: string): void;
}

/** Flags passed on to the server; each is checked by the server's own parser first. */
const GUARD_SWITCHES = new Set(["--sandbox", "--read-only"]);
const GUARD_VALUES = new Set(["--toolsets", ...SENDING_FLAGS]);
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

interface Options {
  host?: string;
  print: boolean;
  force: boolean;
  help: boolean;
  name?: string;
  file?: string;
  /** A server that runs elsewhere (remote.ts), and the variable holding its static token. */
  url?: string;
  tokenEnv?: string;
  serverArgs: string[];
  problems: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    print: false,
    force: false,
    help: false,
    serverArgs: [],
    problems: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) options.problems.push(`${flag} needs a value`);
      return v ?? "";
    };
    if (flag === "--print") options.print = true;
    else if (flag === "--force") options.force = true;
    else if (flag === "--help" || flag === "-h") options.help = true;
    else if (flag === "--name") options.name = value();
    else if (flag === "--config-file") options.file = value();
    else if (flag === "--url") options.url = value();
    else if (flag === "--token-env") options.tokenEnv = value();
    else if (flag && GUARD_SWITCHES.has(flag)) options.serverArgs.push(flag);
    else if (flag && GUARD_VALUES.has(flag)) options.serverArgs.push(flag, value());
    else if (flag?.startsWith("-")) {
      // The name only: a value after "=" may be a secret (--api-key=...).
      options.problems.push(`unknown option ${JSON.stringify(flag.slice(0, 40))}`);
    } else if (options.host === undefined) options.host = arg;
    else options.problems.push("more than one host given");
  }
  return options;
}

const platformOf = (platform: NodeJS.Platform): Platform =>
  platform === "darwin" || platform === "win32" ? platform : "linux";

/** Words of `text` in lines of at most `width` characters, each starting with `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > width && line.trim()) {
      lines.push(line.trimEnd());
      line = `${indent}  `;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
}

export function setupHelp(): string {
  const hosts = HOSTS.map(
    (host) =>
      `  ${host.id.padEnd(15)}${host.title}\n` +
      `                   macOS:   ${host.shown.darwin}\n` +
      `                   Windows: ${host.shown.win32}\n` +
      `                   Linux:   ${host.shown.linux}\n` +
      `${wrap(`secrets: ${host.secrets}.`, 100, " ".repeat(19))}\n`,
  ).join("");
  return `Usage: clicksend-mcp setup <host> [--print] [--force] [--name NAME] [--config-file FILE]
                            [--sandbox] [--read-only] [--toolsets LIST] [guard flags]
       clicksend-mcp setup <host> --url URL [--token-env VAR] [--print] [--force] [--name NAME]
                            [--config-file FILE]

Adds this install of clicksend-mcp to a host's MCP configuration: the absolute path of node and
of this install's cli.js, so the entry works from any folder. The file is merged (nothing else in
it changes), a backup of it is written beside it first (FILE.<time>.bak), and an entry of the same
name is refused unless --force.

  --print              print the entry in the host's format instead of writing anything
  --force              replace an existing entry of the same name
  --name NAME          the entry's name: default "clicksend", "clicksend-sandbox" with --sandbox
  --config-file FILE   write this file instead of the host's user config (e.g. a project's
                       .cursor/mcp.json or .vscode/mcp.json in that host's format)
  --sandbox            the entry runs against the embedded simulator: no credentials needed
  --read-only, --toolsets LIST, --allowed-recipients LIST, --max-recipients-per-call N,
  --daily-message-limit N, --duplicate-window S, --skip-opted-out on|off, --state-dir DIR
                       passed on to the server (see clicksend-mcp --help)

  --url URL            instead, a server that runs elsewhere over HTTP (https; http only on
                       loopback), e.g. https://texts.example.com/mcp: the host signs in with
                       OAuth itself (docs/oauth.md). Claude Desktop takes no URL in its file:
                       setup says how to add it as a custom connector and writes nothing
  --token-env VAR      with --url: send the server's static token (CLICKSEND_MCP_HTTP_TOKEN) as
                       a bearer token the host reads from the variable VAR (VS Code prompts for
                       it); the token itself is never written

Credentials never go in args. Each host below says where they end up.

Hosts and their config files:
${hosts}`;
}

/** Runs the subcommand; returns the exit code (2 for bad usage, 1 when the file cannot be changed). */
export function runSetup(context: SetupContext): number {
  const options = parseArgs(context.argv);
  if (options.help) {
    context.out(setupHelp());
    return 0;
  }
  const host = options.host === undefined ? undefined : findHost(options.host);
  if (!host) {
    const given =
      options.host === undefined
        ? "no host given"
        : `unknown host ${JSON.stringify(options.host.slice(0, 40))}`;
    options.problems.unshift(`${given}: choose one of ${hostIds().join(", ")}`);
  }
  if (options.name !== undefined && !NAME_PATTERN.test(options.name)) {
    options.problems.push("--name must be 1 to 64 letters, digits, _ or -");
  }
  const remote = remoteProblems(options, host);
  try {
    // The server's own parser: a bad guard fails here, not later inside the host.
    parseCli([...options.serverArgs, "--sandbox"], {}, context.toolsets);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    options.problems.push(...error.problems);
  }
  if (options.problems.length || !host) {
    context.err(`clicksend-mcp setup: ${options.problems.join("; ")}. See setup --help.\n`);
    return 2;
  }
  return remote ? remoteSetup(context, host, options, remote) : localSetup(context, host, options);
}

/** `setup <host>`: an entry that starts this install with the server flags given. */
function localSetup(context: SetupContext, host: Host, options: Options): number {
  const sandbox = options.serverArgs.includes("--sandbox");
  const live = !sandbox;
  const name = options.name ?? (sandbox ? "clicksend-sandbox" : "clicksend");
  const launch: Launch = { command: context.node, args: [context.cli, ...options.serverArgs] };
  if (/[\\/]_npx[\\/]/.test(context.cli)) {
    context.err(
      "clicksend-mcp setup: warning: this copy runs from npx's cache, which npm may clear; install the package (npm install -g clicksend-mcp) or use a clone, then run setup from there.\n",
    );
  }
  const local = host.entry(launch, live);
  if (options.print) {
    const notes = live ? [`Credentials (${host.title}): ${host.secrets}.`] : [];
    return printEntry(context, host, name, local, notes);
  }
  const copied = host.id === "claude-desktop" && live && copyCredentials(local.entry, context.env);
  const notes = [
    ...(host.afterWrite ? [host.afterWrite] : []),
    ...(live ? [`Credentials: ${host.secrets}.`] : []),
    ...(host.id === "claude-desktop" && live && !copied
      ? [
          "Fill in CLICKSEND_USERNAME and CLICKSEND_API_KEY in that file's env, or install the .mcpb bundle instead.",
        ]
      : []),
  ];
  return writeEntry(context, host, name, local, options, notes);
}

/** The checked URL when --url is given (problems added to options), else undefined. */
function remoteProblems(options: Options, host: Host | undefined): string | undefined {
  if (options.url === undefined) {
    if (options.tokenEnv !== undefined) options.problems.push("--token-env needs --url");
    return undefined;
  }
  const checked = checkRemoteUrl(options.url);
  if ("problem" in checked) options.problems.push(checked.problem);
  if (options.serverArgs.length) {
    options.problems.push(
      `--url adds a server that runs elsewhere: the server's flags (${options.serverArgs.filter((a) => a.startsWith("--")).join(", ")}) are set where it runs, not in the host's entry`,
    );
  }
  if (options.tokenEnv !== undefined) {
    const problem = checkVariable(options.tokenEnv);
    if (problem) options.problems.push(problem);
    const form = host && REMOTE[host.id];
    if (form && (isNoRemote(form) || !form.bearer)) {
      options.problems.push(
        `${host.title} has no documented way to send a bearer token from a variable: run the server with OAuth and leave out --token-env`,
      );
    }
  }
  return "url" in checked ? checked.url : undefined;
}

/** `setup <host> --url`: the host's remote entry, or for a host with none, what to do instead. */
function remoteSetup(context: SetupContext, host: Host, options: Options, url: string): number {
  const form = REMOTE[host.id];
  if (!form) throw new Error(`no remote form for ${host.id}`);
  if (isNoRemote(form)) {
    context.out(form.instead(url));
    return 0;
  }
  const name = options.name ?? "clicksend";
  const bearer = options.tokenEnv === undefined ? undefined : form.bearer?.(options.tokenEnv);
  const remote: HostEntry = {
    entry: { ...form.entry(url), ...bearer?.entry },
    ...(bearer?.inputs ? { inputs: bearer.inputs } : {}),
  };
  const notes = [
    bearer && options.tokenEnv
      ? `Token: ${form.tokenNote?.(options.tokenEnv)}.`
      : `To sign in: ${form.signIn.replace("<name>", name)}`,
  ];
  return options.print
    ? printEntry(context, host, name, remote, notes)
    : writeEntry(context, host, name, remote, options, notes);
}

function printEntry(
  context: SetupContext,
  host: Host,
  name: string,
  { entry, inputs }: HostEntry,
  notes: string[],
): number {
  context.out(
    host.format === "toml"
      ? renderTable([host.key, name], entry)
      : jsonSnippet(host.key, name, entry, inputs),
  );
  for (const note of notes) context.err(`${note}\n`);
  return 0;
}

/** Merges the entry into the host's file; `notes` go to stderr after the write. */
function writeEntry(
  context: SetupContext,
  host: Host,
  name: string,
  { entry, inputs }: HostEntry,
  options: Options,
  notes: string[],
): number {
  const file = resolve(options.file ?? host.path(context.env, platformOf(context.platform)));
  let replaced = false;
  let edited: { file: string; backup: string | undefined };
  try {
    edited = editFile(file, (before) => {
      const merged =
        host.format === "toml"
          ? mergeTable(before, host.key, name, entry, options.force)
          : mergeJson(before, host.key, name, entry, options.force, inputs);
      replaced = merged.replaced;
      return merged.text;
    });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    context.err(`clicksend-mcp setup: ${file}: ${error.message}. Nothing was changed.\n`);
    return 1;
  }
  const { backup } = edited;
  const where = edited.file === file ? file : `${edited.file} (the target of ${file})`;
  context.out(
    `${replaced ? "Replaced" : "Added"} "${name}" in ${where}${backup ? ` (backup: ${backup})` : " (new file)"}.\n` +
      `Restart ${host.title} (or reload its MCP servers) to start it.\n`,
  );
  for (const note of notes) context.err(`${note}\n`);
  return 0;
}

const isRefusal = (error: unknown): error is Error =>
  error instanceof JsonMergeError ||
  error instanceof TomlMergeError ||
  error instanceof LockError ||
  error instanceof WriteError ||
  // The file system's own refusals (EACCES, EROFS, ENOSPC) name the path and the cause.
  (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string");

/** Claude Desktop cannot read variables: the values themselves go in its file, when set. */
function copyCredentials(entry: Record<string, unknown>, env: Env): boolean {
  const username = env.CLICKSEND_USERNAME?.trim();
  const apiKey = env.CLICKSEND_API_KEY?.trim();
  if (!username || !apiKey) return false;
  entry.env = { CLICKSEND_USERNAME: username, CLICKSEND_API_KEY: apiKey };
  return true;
}
