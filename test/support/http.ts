/**
 * The built server over Streamable HTTP: started with --http on a free port (--port 0; it prints
 * the bound URL on stderr), reached with the SDK's Streamable HTTP client or with raw requests
 * that can set any header, Host included.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { request } from "node:http";
import { clearTimeout, setTimeout } from "node:timers";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { cleanEnv, ensureBuilt } from "./build.js";
import { stopProcess } from "./stdio.js";
import { HANG_MS } from "./wait.js";

export interface HttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:40123/mcp */
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Sends the signal and resolves with the exit code (SIGKILL after HANG_MS). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `clicksend-mcp --sandbox --http --port 0 ...args` (without --sandbox when live: env
 * then says which ClickSend to talk to) and waits until it listens.
 */
export async function startHttpServer(
  args: string[] = [],
  env: Record<string, string> = {},
  { live = false } = {},
): Promise<HttpServer> {
  const cli = await ensureBuilt();
  const mode = live ? [] : ["--sandbox"];
  const child = spawn(process.execPath, [cli, ...mode, "--http", "--port", "0", ...args], {
    env: cleanEnv(env),
    stdio: "pipe",
  });
  let err = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL on stderr in ${HANG_MS} ms:\n${err}`)),
      HANG_MS,
    );
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
    stop: (signal = "SIGTERM") => stopProcess(child, exited, () => child.kill(signal)),
  };
}

/** The SDK client connected over Streamable HTTP, sending `headers` with every request. */
export async function connectHttp(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "http-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return client;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A raw JSON-RPC POST to an MCP endpoint with this bearer token (undefined: no Authorization
 * header); `headers` are added last.
 */
export const postMcp = (
  url: string,
  bearer: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> =>
  rawRequest(url, {
    headers: {
      ...MCP_HEADERS,
      host: new URL(url).host,
      ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

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
