import { ConfigError } from "../errors.js";
import { accountScope } from "./open.js";

/**
 * `clicksend-mcp state init`: after the send state in Redis was lost (flushed, evicted, or a
 * restart without persistence), sends are refused until an operator has checked ClickSend's
 * message history and runs this with the servers' environment (CLICKSEND_REDIS_URL and the
 * account's credentials). It writes a fresh state marker that every instance adopts and clears
 * the lost flag; the counts, keys and window of the last day stay forgotten.
 */
export async function runStateInit(options: {
  argv: string[];
  env: Record<string, string | undefined>;
  parse: (
    argv: string[],
    env: Record<string, string | undefined>,
  ) => { redisUrl?: string; scope: string };
  out: (text: string) => void;
  err: (text: string) => void;
}): Promise<number> {
  if (options.argv[0] !== "init") {
    options.err(
      "usage: clicksend-mcp state init  (with CLICKSEND_REDIS_URL and the account's credentials set)\n",
    );
    return 2;
  }
  let target: { redisUrl?: string; scope: string };
  try {
    target = options.parse(options.argv.slice(1), options.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      options.err(`clicksend-mcp state init: ${error.problems.join("; ")}\n`);
      return 2;
    }
    throw error;
  }
  if (!target.redisUrl) {
    options.err(
      "clicksend-mcp state init: CLICKSEND_REDIS_URL is not set. A SQLite state directory needs no init: after a fault, move the database aside or delete it.\n",
    );
    return 2;
  }
  const { reinitialiseRedis, redactUrl } = await import("./redis.js");
  const lost = await reinitialiseRedis(target.redisUrl, target.scope);
  options.out(
    `Send state in Redis at ${redactUrl(target.redisUrl)} re-initialised for ${target.scope}${
      lost ? ` (it had been lost: ${lost})` : ""
    }. Sends are accepted again; the last day's counts, idempotency keys and duplicate window start empty.\n`,
  );
  return 0;
}

export { accountScope };
