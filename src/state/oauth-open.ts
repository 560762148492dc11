import { join } from "node:path";
import type { OAuthStore } from "./oauth-store.js";
import { defaultStateDir } from "./open.js";

type Env = Record<string, string | undefined>;

/**
 * The built-in authorization server's store, in the send state's engine and taking the same
 * inputs as openSendStore: Redis when CLICKSEND_REDIS_URL is set (keys under the account's
 * scope), memory for a "memory" state directory or the sandbox without one, else
 * `<state dir>/<scope>.oauth.sqlite` beside the account's send state. `now` is the clock records
 * expire by (tests); Redis then checks it beside its own TTLs.
 */
export async function openOAuthStore(options: {
  stateDir?: string | undefined;
  redisUrl?: string | undefined;
  sandbox: boolean;
  scope: string;
  env: Env;
  now?: () => number;
}): Promise<OAuthStore> {
  const scope = options.sandbox ? "sandbox" : options.scope;
  const clock = options.now ? { now: options.now } : {};
  if (options.redisUrl) {
    const { redisOAuthStore } = await import("./oauth-redis.js");
    return redisOAuthStore(
      options.redisUrl,
      scope,
      options.now ? { clock: "caller", ...clock } : {},
    );
  }
  if (options.stateDir === "memory" || (options.sandbox && options.stateDir === undefined)) {
    const { memoryOAuthStore } = await import("./oauth-memory.js");
    return memoryOAuthStore(clock);
  }
  const dir = options.stateDir ?? defaultStateDir(options.env);
  const { sqliteOAuthStore } = await import("./oauth-sqlite.js");
  return sqliteOAuthStore({ file: oauthStateFile(dir, scope), dir, ...clock });
}

/** One account's OAuth database in a state directory. */
export const oauthStateFile = (dir: string, scope: string): string =>
  join(dir, `${scope}.oauth.sqlite`);
