/**
 * Every send state engine, made the same way for the contract suite and the fault tests: memory
 * (SQLite :memory:), SQLite in a state directory, and Redis (a redis-server of the test's own)
 * when one is installed. `reopen` is another process's view of the same state (undefined for
 * memory, which has none); `stored` is everything the engine keeps, as text.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryEngine } from "../../src/state/memory.js";
import { stateDirEngine } from "../../src/state/open.js";
import type { SendStateEngine } from "../../src/state/store.js";
import { type Redis, redisServerPath, startRedis } from "./redis.js";

export interface EngineUnderTest {
  engine: SendStateEngine;
  /** A second engine on the same state (another process or instance); undefined for memory. */
  reopen?: () => SendStateEngine;
  /** All the engine keeps, as text, to look for secrets in it. */
  stored(): Promise<string>;
}

export interface EngineKind {
  name: "memory" | "sqlite" | "redis";
  /** Why it is skipped here, if it is. */
  skip?: string;
  make(): Promise<EngineUnderTest>;
  /** Stops what make() started (a redis-server). */
  stop(): Promise<void>;
}

let scopes = 0;

export function engineKinds(): EngineKind[] {
  let redis: Redis | undefined;
  const redisPath = redisServerPath();
  return [
    {
      name: "memory",
      make: async () => ({ engine: memoryEngine(), stored: async () => "" }),
      stop: async () => {},
    },
    {
      name: "sqlite",
      make: async () => {
        const dir = mkdtempSync(join(tmpdir(), "cs-contract-"));
        return {
          engine: stateDirEngine(dir, "acct"),
          reopen: () => stateDirEngine(dir, "acct"),
          stored: async () =>
            readdirSync(dir)
              .map((name) => readFileSync(join(dir, name)).toString("latin1"))
              .join("\n"),
        };
      },
      stop: async () => {},
    },
    {
      name: "redis",
      ...(redisPath ? {} : { skip: "redis-server is not installed (.ci/run installs it)" }),
      make: async () => {
        redis ??= await startRedis();
        const { redisEngine, dumpRedis } = await import("../../src/state/redis.js");
        const url = redis.url;
        const scope = `contract-${process.pid}-${scopes++}`;
        const make = () => redisEngine(url, scope, { clock: "caller" });
        return { engine: make(), reopen: make, stored: () => dumpRedis(url, scope) };
      },
      stop: async () => {
        await redis?.stop();
        redis = undefined;
      },
    },
  ];
}
