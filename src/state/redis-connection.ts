import { createHash } from "node:crypto";
import { createClient } from "@redis/client";

/** Each Redis command must answer within this, or the step fails closed. */
export const COMMAND_TIMEOUT_MS = 3_000;

export type RedisClient = ReturnType<typeof stateClient>;

export interface RedisConnection {
  client: RedisClient;
  /** Connects on first use and waits for node-redis to reconnect after a drop. */
  ready(): Promise<void>;
  /** Runs `run`, failing when it takes longer than the command timeout. */
  withDeadline<T>(run: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A client for the state in Redis: no offline queue (a command while Redis is down fails at
 * once instead of waiting to land later), a connect timeout, reconnection with backoff, and a
 * deadline on every command.
 */
export function redisConnection(url: string, timeoutMs = COMMAND_TIMEOUT_MS): RedisConnection {
  const client = stateClient(url, timeoutMs);
  let connecting: Promise<unknown> | undefined;
  let waiting: Promise<unknown> | undefined;

  async function ready(): Promise<void> {
    if (client.isReady) return;
    if (!client.isOpen && !connecting) {
      connecting = client.connect().finally(() => {
        connecting = undefined;
      });
    }
    // The first connection, or node-redis reconnecting on its own: every step waits for one.
    waiting ??= (connecting ?? new Promise((resolve) => client.once("ready", resolve))).finally(
      () => {
        waiting = undefined;
      },
    );
    await waiting;
  }

  async function withDeadline<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    client,
    ready,
    withDeadline,
    async close() {
      if (!client.isOpen) return;
      await client.close().catch(() => client.destroy());
    },
  };
}

function stateClient(url: string, timeoutMs: number) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  // Without a listener node-redis throws connection errors; each command reports its own.
  client.on("error", () => {});
  return client;
}

/** A Lua script and its SHA1, for EVALSHA. */
export interface RedisScript {
  source: string;
  sha: string;
}

export const redisScript = (source: string): RedisScript => ({
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});

/**
 * EVALSHA of a script, and EVAL when Redis does not have it (a first call, or a Redis that
 * restarted or ran SCRIPT FLUSH). `counted` is told of each call sent.
 */
export async function runScript(
  client: RedisClient,
  script: RedisScript,
  call: { keys: string[]; arguments: string[] },
  counted: () => void = () => {},
): Promise<unknown> {
  counted();
  try {
    return await client.evalSha(script.sha, call);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
    counted();
    return await client.eval(script.source, call);
  }
}
