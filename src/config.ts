import { isIP } from "node:net";
import type { Auth } from "./client/client.js";
import { ConfigError } from "./errors.js";
import type { LogLevel } from "./logger.js";
import { isLoopback } from "./loopback.js";
import {
  OAUTH_ENV_HELP,
  OAUTH_FLAG,
  OAUTH_HELP,
  type OAuthConfig,
  parseOAuth,
} from "./oauth/config.js";
import { parseWatchReplies, WATCH_FLAG, WATCH_HELP } from "./push/config.js";
import {
  parseSendingConfig,
  SENDING_FLAGS,
  SENDING_HELP,
  SENDING_SWITCHES,
  type SendingConfig,
  STATE_HELP,
} from "./sending/policy.js";
import type { ToolsetDefinition } from "./tool/define-tool.js";

export const DEFAULT_BASE_URL = "https://rest.clicksend.com/v3";

/** Streamable HTTP instead of stdio (--http). */
export interface HttpConfig {
  host: string;
  /** 0 asks the OS for a free port; the bound port is printed on stderr. */
  port: number;
  /** Required on a non-loopback host; on loopback enforced when set. */
  token?: string;
  /** Extra names the Host and Origin headers may carry (reverse proxies, DNS names). */
  allowedHosts: string[];
  /** CLICKSEND_WEBHOOK_SECRET: turns on POST /webhooks/clicksend/<secret> (src/transport/webhook.ts). */
  webhookSecret?: string;
  /** --oauth / CLICKSEND_MCP_OAUTH_ISSUER: OAuth access tokens (src/oauth/). */
  oauth?: OAuthConfig;
}

export { isLoopback };

export interface Config {
  sandbox: boolean;
  baseUrl: string;
  auth: Auth;
  timeoutMs: number;
  readOnly: boolean;
  /** Names of the catalogue's toolsets; unset means its default set. */
  toolsets?: string[];
  logLevel: LogLevel;
  http?: HttpConfig;
  /** Operator guards on sends. */
  sending: SendingConfig;
  /** Over stdio: seconds between looks for new replies and receipts, pushed to the host; unset: off. */
  watchRepliesS?: number;
}

export type CliAction = { kind: "help" } | { kind: "version" } | { kind: "serve"; config: Config };

type Env = Record<string, string | undefined>;

const FLAGS_WITH_VALUE = new Set(["--toolsets", "--port", "--host", OAUTH_FLAG, ...SENDING_FLAGS]);
/** Flags whose value may be left out (`--watch-replies` alone means its default). */
const OPTIONAL_VALUE_FLAGS = new Set([WATCH_FLAG]);
const BOOLEAN_FLAGS = new Set([
  "--sandbox",
  "--read-only",
  "--http",
  "--help",
  "-h",
  "--version",
  "-v",
  ...SENDING_SWITCHES,
]);

const DEFAULT_HTTP_PORT = 8787;
const DEFAULT_HTTP_HOST = "127.0.0.1";
const MIN_TOKEN_LENGTH = 16;

/** --help, naming the catalogue's toolsets. */
export const help = (
  toolsets: readonly ToolsetDefinition[],
) => `clicksend-mcp: an MCP server for the ClickSend REST API v3 (stdio or Streamable HTTP).

Usage: clicksend-mcp [--sandbox] [--read-only] [--toolsets LIST]
                     [--http [--port ${DEFAULT_HTTP_PORT}] [--host ${DEFAULT_HTTP_HOST}] [--oauth ISSUER]]

  --sandbox            run against the embedded ClickSend simulator (no credentials, nothing sent)
  --read-only          register only tools that never change anything
  --toolsets LIST      register only these toolsets: ${toolsets.map((t) => t.name).join(", ")};
                       "default" names the ones served without --toolsets, "all" every one
  --http               serve MCP over Streamable HTTP at http://HOST:PORT/mcp instead of stdio
  --port N             HTTP port, default ${DEFAULT_HTTP_PORT}; 0 picks a free one (printed on stderr)
  --host ADDR          HTTP bind address, default ${DEFAULT_HTTP_HOST}; any other than loopback
                       needs CLICKSEND_MCP_HTTP_TOKEN or --oauth
${OAUTH_HELP}
${SENDING_HELP}
${WATCH_HELP}
  --help, --version

Commands:
  clicksend-mcp setup HOST [--url URL]   add this server to an MCP host's configuration (setup --help)
  clicksend-mcp state init               start the send state in Redis again after it was lost
  clicksend-mcp oauth-person add|remove USERNAME
                                         the built-in issuer's people file (oauth-person --help)

Environment:
  CLICKSEND_USERNAME, CLICKSEND_API_KEY   HTTP Basic credentials (API username and key)
  CLICKSEND_BASE_URL                      default ${DEFAULT_BASE_URL}; may be a gateway path
  CLICKSEND_BEARER_TOKEN                  send "Authorization: Bearer" instead (API gateways)
  CLICKSEND_TIMEOUT_MS                    limit on one call to ClickSend, body included, default 30000
  CLICKSEND_SANDBOX=1, CLICKSEND_READ_ONLY=1, CLICKSEND_TOOLSETS, CLICKSEND_LOG_LEVEL
  CLICKSEND_ALLOWED_RECIPIENTS, CLICKSEND_MAX_RECIPIENTS_PER_CALL, CLICKSEND_DAILY_MESSAGE_LIMIT,
  CLICKSEND_DUPLICATE_WINDOW_S, CLICKSEND_SKIP_OPTED_OUT, CLICKSEND_DAILY_SPEND_LIMIT,
  CLICKSEND_REQUIRE_CONFIRMATION=1, CLICKSEND_CONFIRMATION_TTL_S, CLICKSEND_QUIET_HOURS,
  CLICKSEND_QUIET_HOURS_ACTION, CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT,
  CLICKSEND_PERSON_DAILY_SPEND_LIMIT
                                          the sending rules above, as variables
  CLICKSEND_WATCH_REPLIES_S               --watch-replies as a variable (off when unset)
${STATE_HELP}
  CLICKSEND_MCP_HTTP_TOKEN                bearer token --http clients must send (required off loopback
                                          without --oauth; beside it, the operator's token)
  CLICKSEND_MCP_ALLOWED_HOSTS             extra host names --http accepts in Host and Origin
  CLICKSEND_WEBHOOK_SECRET                over --http, turns on POST /webhooks/clicksend/<secret>
                                          for ClickSend's URL rules (at least 32 characters)
${OAUTH_ENV_HELP}
`;

const truthy = (value: string | undefined) =>
  value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());

function parseFlags(argv: string[]): { flags: Map<string, string | true>; problems: string[] } {
  const flags = new Map<string, string | true>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    if (name && FLAGS_WITH_VALUE.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) problems.push(`${name} needs a value`);
      else flags.set(name, value);
    } else if (name && OPTIONAL_VALUE_FLAGS.has(name)) {
      // A value only when one is given: inline, or a next argument that is not a flag.
      const next = argv[i + 1];
      if (inline !== undefined) flags.set(name, inline);
      else if (next !== undefined && !next.startsWith("-")) flags.set(name, argv[++i] as string);
      else flags.set(name, true);
    } else if (name && BOOLEAN_FLAGS.has(name)) {
      flags.set(name, true);
    } else if (name?.startsWith("-")) {
      // Only the flag's name: its value (--api-key=...) may be a secret.
      problems.push(`unknown option ${JSON.stringify(name.slice(0, 40))}`);
    } else {
      problems.push("unexpected argument (its value is not shown)");
    }
  }
  return { flags, problems };
}

/** Toolset names, checked against the catalogue's; "default" and "all" stand for several. */
function parseToolsets(
  raw: string,
  source: string,
  known: readonly ToolsetDefinition[],
  problems: string[],
): string[] {
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const every = known.map((t) => t.name);
  const defaults = known.filter((t) => t.default).map((t) => t.name);
  const expand = (n: string) => (n === "all" ? every : n === "default" ? defaults : [n]);
  const unknown = names.filter((n) => n !== "all" && n !== "default" && !every.includes(n));
  if (unknown.length || names.length === 0) {
    problems.push(
      `${source} must list toolsets from ${every.join(", ")} (got ${JSON.stringify(raw.slice(0, 60))})`,
    );
  }
  return [...new Set(names.flatMap(expand).filter((n) => every.includes(n)))];
}

function parseBaseUrl(raw: string | undefined, problems: string[]): string {
  if (raw === undefined || raw.trim() === "") return DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    problems.push("CLICKSEND_BASE_URL is not a valid URL");
    return DEFAULT_BASE_URL;
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    problems.push("CLICKSEND_BASE_URL must use https (plain http only for localhost)");
  }
  if (url.username || url.password || url.search || url.hash) {
    problems.push("CLICKSEND_BASE_URL must not contain credentials, a query or a fragment");
  }
  return url.toString().replace(/\/+$/, "");
}

function parseTimeout(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw.trim() === "") return 30_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1000 || value > 300_000) {
    problems.push(
      "CLICKSEND_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 300000",
    );
    return 30_000;
  }
  return value;
}

function parseAuth(env: Env, sandbox: boolean, baseUrl: string, problems: string[]): Auth {
  if (sandbox) return { kind: "none" };
  const token = env.CLICKSEND_BEARER_TOKEN?.trim();
  if (token) {
    if (baseUrl === DEFAULT_BASE_URL) {
      problems.push(
        "CLICKSEND_BEARER_TOKEN is for an API gateway: set CLICKSEND_BASE_URL to the gateway's URL",
      );
    }
    return { kind: "bearer", token };
  }
  const username = env.CLICKSEND_USERNAME?.trim();
  const apiKey = env.CLICKSEND_API_KEY?.trim();
  if (!username && !apiKey) {
    problems.push(
      "CLICKSEND_USERNAME and CLICKSEND_API_KEY are missing (or pass --sandbox to try the server without an account)",
    );
  } else if (!username) {
    problems.push("CLICKSEND_USERNAME is missing");
  } else if (!apiKey) {
    problems.push("CLICKSEND_API_KEY is missing");
  }
  if (username?.includes(":")) problems.push("CLICKSEND_USERNAME must not contain ':'");
  return { kind: "basic", username: username ?? "", apiKey: apiKey ?? "" };
}

function parseHttp(
  flags: Map<string, string | true>,
  env: Env,
  problems: string[],
): HttpConfig | undefined {
  if (!flags.has("--http")) {
    for (const flag of ["--port", "--host"]) {
      if (flags.has(flag)) problems.push(`${flag} needs --http`);
    }
    parseOAuth(flags, env, undefined, problems);
    return undefined;
  }
  const portRaw = flags.get("--port");
  let port = DEFAULT_HTTP_PORT;
  if (typeof portRaw === "string") {
    port = Number(portRaw);
    if (!/^\d+$/.test(portRaw.trim()) || port > 65_535) {
      problems.push("--port must be a whole number from 1 to 65535 (or 0 for any free port)");
      port = DEFAULT_HTTP_PORT;
    }
  }
  const hostRaw = flags.get("--host");
  let host = DEFAULT_HTTP_HOST;
  if (typeof hostRaw === "string") {
    host = hostRaw.trim().replace(/^\[(.*)\]$/, "$1");
    if (host.toLowerCase() !== "localhost" && isIP(host) === 0) {
      problems.push(
        "--host must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::1) or localhost",
      );
      host = DEFAULT_HTTP_HOST;
    }
  }
  const token = env.CLICKSEND_MCP_HTTP_TOKEN?.trim() || undefined;
  const oauth = parseOAuth(flags, env, { host }, problems);
  if (token === undefined && oauth === undefined && !isLoopback(host)) {
    problems.push(
      `--host ${host} is reachable from other machines: set CLICKSEND_MCP_HTTP_TOKEN or --oauth so clients must authenticate`,
    );
  }
  if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))) {
    problems.push(
      `CLICKSEND_MCP_HTTP_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters without spaces`,
    );
  }
  const allowedHosts = (env.CLICKSEND_MCP_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  // Behind a reverse proxy, clients reach the public URL's host name.
  const publicHost = oauth?.publicUrl && new URL(oauth.publicUrl).hostname;
  const allowed =
    publicHost && !allowedHosts.includes(publicHost) ? [...allowedHosts, publicHost] : allowedHosts;
  const badName = allowedHosts.find((name) => !/^[a-z0-9.:[\]-]+$/.test(name));
  if (badName !== undefined) {
    problems.push("CLICKSEND_MCP_ALLOWED_HOSTS must list host names or addresses, without ports");
  }
  const webhookSecret = env.CLICKSEND_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret !== undefined && !/^[A-Za-z0-9._~-]{32,256}$/.test(webhookSecret)) {
    problems.push(
      "CLICKSEND_WEBHOOK_SECRET must be 32 to 256 characters from A-Z a-z 0-9 . _ ~ - (it goes in a URL path)",
    );
  }
  return {
    host,
    port,
    ...(token ? { token } : {}),
    allowedHosts: allowed,
    ...(webhookSecret ? { webhookSecret } : {}),
    ...(oauth ? { oauth } : {}),
  };
}

const LOG_LEVELS: LogLevel[] = ["debug", "info", "warning", "error"];

/**
 * Parses flags and environment into a Config; toolset names are checked against the catalogue's.
 * Error messages name variables, never values of secrets.
 */
export function parseCli(
  argv: string[],
  rawEnv: Env,
  known: readonly ToolsetDefinition[],
): CliAction {
  const env = withoutPlaceholders(rawEnv);
  const { flags, problems } = parseFlags(argv);
  if (flags.has("--help") || flags.has("-h")) return { kind: "help" };
  if (flags.has("--version") || flags.has("-v")) return { kind: "version" };

  const sandbox = flags.has("--sandbox") || truthy(env.CLICKSEND_SANDBOX);
  const baseUrl = parseBaseUrl(env.CLICKSEND_BASE_URL, problems);
  const auth = parseAuth(env, sandbox, baseUrl, problems);
  const timeoutMs = parseTimeout(env.CLICKSEND_TIMEOUT_MS, problems);
  const toolsetsRaw = flags.get("--toolsets") ?? env.CLICKSEND_TOOLSETS;
  const toolsets =
    typeof toolsetsRaw === "string" && toolsetsRaw.trim() !== ""
      ? parseToolsets(
          toolsetsRaw,
          flags.has("--toolsets") ? "--toolsets" : "CLICKSEND_TOOLSETS",
          known,
          problems,
        )
      : undefined;
  const logLevelRaw = env.CLICKSEND_LOG_LEVEL?.trim().toLowerCase() || "info";
  if (!LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    problems.push(`CLICKSEND_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  }

  const http = parseHttp(flags, env, problems);
  const sending = parseSendingConfig(flags, env, problems);
  const watchRepliesS = parseWatchReplies(flags, env, http !== undefined, problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    kind: "serve",
    config: {
      sandbox,
      baseUrl,
      auth,
      timeoutMs,
      readOnly: flags.has("--read-only") || truthy(env.CLICKSEND_READ_ONLY),
      ...(toolsets ? { toolsets } : {}),
      logLevel: logLevelRaw as LogLevel,
      ...(http ? { http } : {}),
      sending,
      ...(watchRepliesS !== undefined ? { watchRepliesS } : {}),
    },
  };
}

/**
 * Hosts that fill env from a template (Claude Desktop bundles) pass an unfilled optional
 * "${user_config.x}" through literally; such a value means "not set".
 */
function withoutPlaceholders(env: Env): Env {
  const clean: Env = {};
  for (const [key, value] of Object.entries(env)) {
    clean[key] =
      value !== undefined && /^\$\{user_config\.[^}]*\}$/.test(value.trim()) ? undefined : value;
  }
  return clean;
}
