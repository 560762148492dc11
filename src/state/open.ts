import { homedir } from "node:os";
import { join } from "node:path";
import type { Auth } from "../client/client.js";
import { writeStderr } from "../transport/stderr.js";
import { lazyEngine } from "./lazy.js";
import { sha256 } from "./ledger.js";
import { memoryEngine } from "./memory.js";
import { type SendStateEngine, SendStore } from "./store.js";

type Env = Record<string, string | undefined>;

/** The user's state directory: $XDG_STATE_HOME, ~/.local/state, or %LOCALAPPDATA% on Windows. */
export function defaultStateDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "clicksend-mcp");
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "clicksend-mcp");
  return join(env.HOME || homedir(), ".local", "state", "clicksend-mcp");
}

/**
 * One account's name in the store: a hash of the base URL and the username (or the gateway
 * token), so two accounts on one machine never share limits and no credential is written.
 */
export function accountScope(auth: Auth, baseUrl: string): string {
  const who =
    auth.kind === "basic"
      ? `basic:${auth.username}`
      : auth.kind === "bearer"
        ? `bearer:${auth.token}`
        : "none";
  return `account-${sha256(`${baseUrl}\n${who}`).slice(0, 16)}`;
}

/**
 * The send store this process uses: Redis when CLICKSEND_REDIS_URL is set, else the state
 * directory (default: the user's, one SQLite database per account); the sandbox keeps its state in memory unless a directory is
 * given, and never shares live state.
 */
export async function openSendStore(options: {
  stateDir?: string | undefined;
  redisUrl?: string | undefined;
  sandbox: boolean;
  scope: string;
  env: Env;
}): Promise<SendStore> {
  const scope = options.sandbox ? "sandbox" : options.scope;
  if (options.redisUrl) {
    const { redisEngine } = await import("./redis.js");
    const warn = (message: string) => void writeStderr(`clicksend-mcp: warning: ${message}\n`);
    return new SendStore(redisEngine(options.redisUrl, scope, { warn }), Date.now, scope);
  }
  if (options.stateDir === "memory" || (options.sandbox && options.stateDir === undefined)) {
    return new SendStore(memoryEngine(), Date.now, scope);
  }
  const dir = options.stateDir ?? defaultStateDir(options.env);
  return new SendStore(stateDirEngine(dir, scope), Date.now, scope);
}

/** One account's SQLite database in a state directory: `<dir>/<scope>.sqlite`. */
export function stateDirEngine(dir: string, scope: string): SendStateEngine {
  const file = join(dir, `${scope}.sqlite`);
  return lazyEngine("sqlite", file, async () => {
    const { sqliteEngine } = await import("./sqlite.js");
    return sqliteEngine({ file, dir });
  });
}
