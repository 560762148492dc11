/**
 * The hosts `clicksend-mcp setup` knows: where each keeps its MCP servers, in which shape, and
 * where the credentials end up. Paths follow HOME (USERPROFILE on Windows), APPDATA,
 * XDG_CONFIG_HOME and CODEX_HOME, so tests point them at a temporary folder.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export type Env = Record<string, string | undefined>;
export type Platform = "darwin" | "win32" | "linux";

/** How the host starts the server: never a secret in args. */
export interface Launch {
  command: string;
  args: string[];
}

export interface HostEntry {
  /** The server's entry under the host's servers key (or its TOML table's keys). */
  entry: Record<string, unknown>;
  /** VS Code's prompts for secrets, merged into the file's `inputs`. */
  inputs?: Array<Record<string, unknown>>;
}

export interface Host {
  id: string;
  title: string;
  format: "json" | "toml";
  /** The JSON key holding servers by name; for TOML, the table prefix. */
  key: string;
  /** The config file's location per platform, as shown in --help. */
  shown: Record<Platform, string>;
  /** Where the API key ends up, for --help and the note after writing. */
  secrets: string;
  /** Said after writing, when the host needs more than a restart. */
  afterWrite?: string;
  path(env: Env, platform: Platform): string;
  /** `live` is false in the sandbox, where no credentials are needed. */
  entry(launch: Launch, live: boolean): HostEntry;
}

const USERNAME = "CLICKSEND_USERNAME";
const API_KEY = "CLICKSEND_API_KEY";

const home = (env: Env, platform: Platform) =>
  (platform === "win32" ? env.USERPROFILE : env.HOME) || env.HOME || homedir();
const appData = (env: Env, platform: Platform) =>
  env.APPDATA || join(home(env, platform), "AppData", "Roaming");
const xdgConfig = (env: Env, platform: Platform) =>
  env.XDG_CONFIG_HOME || join(home(env, platform), ".config");

/** The per-user application folder Electron apps (Claude, VS Code) keep settings in. */
function appFolder(env: Env, platform: Platform, app: string): string {
  if (platform === "darwin")
    return join(home(env, platform), "Library", "Application Support", app);
  if (platform === "win32") return join(appData(env, platform), app);
  return join(xdgConfig(env, platform), app);
}

/** The env block a host fills from variables: `reference(name)` in that host's syntax. */
const envFrom = (reference: (name: string) => string, live: boolean) =>
  live ? { env: { [USERNAME]: reference(USERNAME), [API_KEY]: reference(API_KEY) } } : {};

export const HOSTS: readonly Host[] = [
  {
    id: "claude-desktop",
    title: "Claude Desktop",
    format: "json",
    key: "mcpServers",
    shown: {
      darwin: "~/Library/Application Support/Claude/claude_desktop_config.json",
      win32: "%APPDATA%\\Claude\\claude_desktop_config.json",
      linux: "$XDG_CONFIG_HOME/Claude/claude_desktop_config.json (~/.config/Claude/...)",
    },
    secrets:
      "this file keeps env in plain text: setup copies CLICKSEND_USERNAME and CLICKSEND_API_KEY from its own environment when set, else leaves them empty for you to fill in. Prefer the .mcpb bundle (npm run bundle), which keeps the key in the system keychain",
    path: (env, platform) => join(appFolder(env, platform, "Claude"), "claude_desktop_config.json"),
    // The values are filled in by setup (see secrets); the entry has empty ones.
    entry: (launch, live) => ({ entry: { ...launch, ...envFrom(() => "", live) } }),
  },
  {
    id: "claude-code",
    title: "Claude Code (user scope)",
    format: "json",
    key: "mcpServers",
    shown: {
      darwin: "~/.claude.json",
      win32: "%USERPROFILE%\\.claude.json",
      linux: "~/.claude.json",
    },
    secrets: `env holds \${CLICKSEND_API_KEY:-} references that Claude Code expands from the environment it starts in; "claude mcp add --env CLICKSEND_API_KEY=... -- <command>" would store the value itself in ~/.claude.json`,
    afterWrite:
      "Check with `claude mcp list`; `claude mcp add-json <name> '<entry>'` is the other way in, with the entry from setup claude-code --print.",
    path: (env, platform) => join(home(env, platform), ".claude.json"),
    entry: (launch, live) => ({
      entry: { type: "stdio", ...launch, ...envFrom((name) => `\${${name}:-}`, live) },
    }),
  },
  {
    id: "cursor",
    title: "Cursor",
    format: "json",
    key: "mcpServers",
    shown: {
      darwin: "~/.cursor/mcp.json",
      win32: "%USERPROFILE%\\.cursor\\mcp.json",
      linux: "~/.cursor/mcp.json",
    },
    secrets: `env holds \${env:CLICKSEND_API_KEY} references that Cursor reads from its own environment (start Cursor from a shell that has them)`,
    path: (env, platform) => join(home(env, platform), ".cursor", "mcp.json"),
    entry: (launch, live) => ({ entry: { ...launch, ...envFrom((n) => `\${env:${n}}`, live) } }),
  },
  {
    id: "vscode",
    title: "VS Code (user mcp.json)",
    format: "json",
    key: "servers",
    shown: {
      darwin: "~/Library/Application Support/Code/User/mcp.json",
      win32: "%APPDATA%\\Code\\User\\mcp.json",
      linux: "$XDG_CONFIG_HOME/Code/User/mcp.json (~/.config/Code/User/mcp.json)",
    },
    secrets:
      "VS Code prompts for the username and API key once (its `inputs`) and keeps them in its secret storage",
    path: (env, platform) => join(appFolder(env, platform, "Code"), "User", "mcp.json"),
    entry: (launch, live) => ({
      entry: {
        type: "stdio",
        ...launch,
        ...envFrom((name) => `\${input:${inputId(name)}}`, live),
      },
      ...(live
        ? {
            inputs: [
              { id: inputId(USERNAME), type: "promptString", description: "ClickSend username" },
              {
                id: inputId(API_KEY),
                type: "promptString",
                description: "ClickSend API key",
                password: true,
              },
            ],
          }
        : {}),
    }),
  },
  {
    id: "codex",
    title: "Codex CLI",
    format: "toml",
    key: "mcp_servers",
    shown: {
      darwin: "$CODEX_HOME/config.toml (~/.codex/config.toml)",
      win32: "%USERPROFILE%\\.codex\\config.toml",
      linux: "$CODEX_HOME/config.toml (~/.codex/config.toml)",
    },
    secrets:
      "env_vars names CLICKSEND_USERNAME and CLICKSEND_API_KEY, which Codex passes on from the environment it starts in; no value is written",
    path: (env, platform) =>
      join(env.CODEX_HOME || join(home(env, platform), ".codex"), "config.toml"),
    entry: (launch, live) => ({
      entry: { ...launch, ...(live ? { env_vars: [USERNAME, API_KEY] } : {}) },
    }),
  },
  {
    id: "windsurf",
    title: "Windsurf",
    format: "json",
    key: "mcpServers",
    shown: {
      darwin: "~/.codeium/windsurf/mcp_config.json",
      win32: "%USERPROFILE%\\.codeium\\windsurf\\mcp_config.json",
      linux: "~/.codeium/windsurf/mcp_config.json",
    },
    secrets: `env holds \${env:CLICKSEND_API_KEY} references that Windsurf interpolates from its own environment (start Windsurf from a shell that has them)`,
    path: (env, platform) => join(home(env, platform), ".codeium", "windsurf", "mcp_config.json"),
    entry: (launch, live) => ({ entry: { ...launch, ...envFrom((n) => `\${env:${n}}`, live) } }),
  },
  {
    id: "gemini",
    title: "Gemini CLI (user settings)",
    format: "json",
    key: "mcpServers",
    shown: {
      darwin: "~/.gemini/settings.json",
      win32: "%USERPROFILE%\\.gemini\\settings.json",
      linux: "~/.gemini/settings.json",
    },
    secrets:
      "env holds $CLICKSEND_API_KEY references that Gemini CLI expands from the environment it starts in",
    path: (env, platform) => join(home(env, platform), ".gemini", "settings.json"),
    entry: (launch, live) => ({ entry: { ...launch, ...envFrom((n) => `$${n}`, live) } }),
  },
];

function inputId(variable: string): string {
  return variable === API_KEY ? "clicksend-api-key" : "clicksend-username";
}

export const hostIds = () => HOSTS.map((host) => host.id);
export const findHost = (id: string) => HOSTS.find((host) => host.id === id);
