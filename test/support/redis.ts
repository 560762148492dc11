/** A redis-server of a test's own: a free loopback port, no persistence, stopped after. */
import { execFileSync, spawn } from "node:child_process";
import { freePort, isListening } from "./net.js";
import { HANG_MS, sleep } from "./wait.js";

export function redisServerPath(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

export interface Redis {
  url: string;
  port: number;
  /** Stops the server's process (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** `port`: start on this one (a restart of an earlier server); otherwise a free one. */
export async function startRedis(options: { port?: number } = {}): Promise<Redis> {
  const binary = redisServerPath();
  if (!binary)
    throw new Error("redis-server is not installed: .ci/run installs Debian's redis-server");
  const port = options.port ?? (await freePort());
  const child = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const deadline = Date.now() + HANG_MS;
  while (!(await isListening(port))) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start in ${HANG_MS} ms`);
    }
    await sleep(20);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        child.kill("SIGCONT");
      }
      await exited;
    },
  };
}
