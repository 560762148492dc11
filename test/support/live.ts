import { afterAll } from "vitest";
import type { Sandbox } from "../../sandbox/server.js";
import { cleanEnv } from "./build.js";
import { type HttpServer, startHttpServer } from "./http.js";
import { type Redis, startRedis } from "./redis.js";
import { startServer } from "./stdio.js";

/**
 * The environment of a live-mode server (real credentials, no --sandbox) pointed at a test's
 * sandbox, with the duplicate window off so tests may repeat a text.
 */
export const liveEnv = (sandbox: Sandbox, extra: Record<string, string>) =>
  cleanEnv({
    CLICKSEND_BASE_URL: sandbox.baseUrl,
    CLICKSEND_USERNAME: sandbox.credentials.username,
    CLICKSEND_API_KEY: sandbox.credentials.apiKey,
    CLICKSEND_DUPLICATE_WINDOW_S: "0",
    ...extra,
  });

/** A live-mode server over stdio with exactly this environment, and the SDK client on it. */
export const connectLive = async (env: Record<string, string>) =>
  (await startServer([], env)).connect();

/** A Redis and live-mode HTTP instances for one describe block, all stopped after it. */
export function onOneRedis() {
  let redis: Redis | undefined;
  const instances: HttpServer[] = [];
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
  });
  return {
    startRedis: async () => {
      redis = await startRedis();
      return redis;
    },
    /** `count` live-mode HTTP instances with exactly this environment. */
    startInstances: async (env: Record<string, string>, count: number) => {
      const started = await Promise.all(
        Array.from({ length: count }, () => startHttpServer([], env, { live: true })),
      );
      instances.push(...started);
      return started;
    },
  };
}
