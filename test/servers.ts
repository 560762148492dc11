/**
 * Servers spawned as hosts start them: over stdio with the SDK client, or with --http on a free
 * port (--port 0; it prints the bound URL on stderr), plus a raw HTTP request helper that can
 * set any header, Host included.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ensureBuilt } from "./build.js";
import { cleanEnv } from "./stdio.js";

/** The SDK client connected over stdio to `command args`, and the server's stderr so far. */
export async function connectStdio(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ client: Client; stderr(): string }> {
  const transport = new StdioClientTransport({ command, args, env, stderr: "pipe" });
  let err = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const client = new Client({ name: "clicksend-mcp-test", version: "1.0.0" });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${String(error)}\nstderr:\n${err}`);
  }
  return { client, stderr: () => err };
}

export interface HttpCli {
  /** The MCP endpoint, e.g. http://127.0.0.1:40123/mcp */
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Sends the signal and resolves with the exit code (SIGKILL after 5 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `clicksend-mcp --sandbox --http --port 0 ...args` and waits until it listens. */
export async function startHttpCli(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<HttpCli> {
  const cli = await ensureBuilt();
  const child = spawn(process.execPath, [cli, "--sandbox", "--http", "--port", "0", ...args], {
    env: cleanEnv(env),
    stdio: "pipe",
  });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL on stderr in 15 s:\n${err}`)), 15_000);
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      const found = /Streamable HTTP at (http:\S+)/.exec(err);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the given headers (fetch would not let a test set Host). */
export function rawRequest(
  url: string,
  init: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: init.method ?? "POST",
        path: init.path ?? target.pathname,
        headers: init.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    const body = init.body;
    if (body !== undefined && init.headers?.expect === "100-continue") {
      // The body goes only once the server says to continue.
      req.on("continue", () => req.end(body));
    } else {
      req.end(body);
    }
  });
}

/** A valid initialize request body and the headers a Streamable HTTP client sends. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "http-test", version: "1.0.0" },
  },
});

export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};
