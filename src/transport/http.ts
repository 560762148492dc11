/**
 * The Streamable HTTP transport (--http): stateless, a fresh MCP Server per request from the
 * same factory stdio uses, for both protocol generations (2025 requests without a session,
 * 2026-07-28 requests with their per-request _meta). Loaded by cli.ts only when asked for.
 *
 * Every request passes, in order: the bound on requests in flight (503), Host (DNS-rebinding
 * protection, 403), with OAuth the public metadata document, Origin (403), the built-in
 * authorization server's own paths, path (404; with CLICKSEND_WEBHOOK_SECRET, ClickSend's webhook
 * path goes to webhook.ts instead), bearer token or OAuth access token (401; 503 while the issuer
 * cannot be reached), method (405), body size (413), JSON (400) and, with OAuth, the token's
 * scopes (403); the SDK's handler then checks Accept (406), Content-Type (415) and, for
 * 2026-07-28 requests, the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers against the body
 * (400). Node ends a request whose headers or body are too slow (408).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { type NodeIncomingMessageLike, toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  type McpServerFactory,
  type ServerEventBus,
} from "@modelcontextprotocol/server";
import { type HttpConfig, isLoopback } from "../config.js";
import type { Logger } from "../logger.js";
import { OPERATOR, type ResourceServer } from "../oauth/resource-server.js";
import { NAME } from "../version.js";
import { LegacyCancellation } from "./http-cancellation.js";
import { serveWebhook, type WebhookOptions, webhookMatcher } from "./webhook.js";

const MCP_PATH = "/mcp";
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Requests in flight at once, tool calls included: beyond it, 503 with Retry-After. With 1 MiB
 * bodies this bounds what unfinished uploads can hold to 64 MiB.
 */
const MAX_CONCURRENT_REQUESTS = 64;
/** Headers, then the whole request, must arrive within these (a 1 MiB body at 70 KB/s). */
const HEADERS_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 15_000;
/** How long in-flight requests may run on after SIGINT/SIGTERM. */
const SHUTDOWN_GRACE_MS = 5000;

export interface HttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:8787/mcp */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Pages and endpoints of an authorization server served beside MCP (the built-in issuer). */
export interface AuthorizationServerRoutes {
  owns(path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface HttpServerOptions extends Omit<HttpConfig, "oauth"> {
  /** Builds the MCP Server for one request; per-process state lives in the factory. */
  createServer: McpServerFactory;
  logger: Logger;
  maxBodyBytes?: number;
  maxConcurrentRequests?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The change-event bus open subscriptions/listen streams read (default: the SDK's own). */
  bus?: ServerEventBus;
  /** ClickSend's URL rules' endpoint (CLICKSEND_WEBHOOK_SECRET); without it the path does not exist. */
  webhook?: WebhookOptions;
  /**
   * OAuth (src/oauth/protect.ts): made once the server is bound, since the public URL defaults to
   * the bound one on loopback; requests wait for it. Requests with the static token still pass,
   * as the operator.
   */
  oauth?: (boundUrl: string) => Promise<OAuthRoutes>;
}

/** What OAuth adds to the HTTP server. */
export interface OAuthRoutes {
  resourceServer: ResourceServer;
  /** The built-in authorization server's public routes, when it runs in this process. */
  authorizationServer?: AuthorizationServerRoutes;
  close(): Promise<void>;
}

/** Host names (lower case, IPv6 without brackets) that Host and Origin may carry. */
export function allowedHostnames(host: string, extra: string[] = []): Set<string> {
  const names = new Set<string>([host.toLowerCase(), ...extra.map(bare)]);
  if (isLoopback(host)) {
    for (const name of ["localhost", "127.0.0.1", "::1"]) names.add(name);
  }
  if (host === "0.0.0.0" || host === "::") {
    // Bound to every interface: any of this machine's own addresses is the bound address.
    names.add("localhost");
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return names;
}

function bare(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** The hostname of a Host header ("127.0.0.1:8787", "[::1]:8787"), or undefined if malformed. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return bare(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return undefined;
  }
}

function originHostname(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? bare(url.hostname) : undefined;
  } catch {
    return undefined;
  }
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Compares bearer tokens in constant time (hashes have equal length whatever the input). */
export function tokenMatches(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  const presented = digest(match?.[1] ?? "");
  return timingSafeEqual(presented, expected) && match !== null;
}

/** A JSON-RPC error body, the shape MCP clients expect from an HTTP error. */
function reject(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code = -32000,
): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { logger } = options;
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const allowed = allowedHostnames(options.host, options.allowedHosts);
  const expectedToken = options.token ? digest(options.token) : undefined;
  // Names only: a message may quote what the request carried.
  const onerror = (error: Error) => logger.debug(`MCP HTTP handler reported ${error.name}`);
  const mcp = createMcpHandler(options.createServer, {
    onerror,
    maxRequestBodySize: limit,
    ...(options.bus ? { bus: options.bus } : {}),
  });
  const webhook = options.webhook;
  const isWebhook = webhook ? webhookMatcher(webhook.secret) : () => false;
  const serveMcp = toNodeHandler(mcp, { onerror, maxRequestBodySize: limit });
  const cancellation = new LegacyCancellation();
  // With OAuth nothing is served until its routes are made, just after binding.
  let routes: OAuthRoutes | undefined;
  let routesMade = () => {};
  const ready = options.oauth && new Promise<void>((resolve) => (routesMade = resolve));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (ready) await ready;
    const oauth = routes?.resourceServer;
    const authorizationServer = routes?.authorizationServer;
    const hostname = hostnameOf(req.headers.host ?? "");
    const origin = req.headers.origin;
    if (hostname === undefined || !allowed.has(hostname)) {
      logger.warn("refused an HTTP request whose Host header is not this server's address");
      return reject(res, 403, "Forbidden: the Host header does not name this server.");
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    // Public, and fetched by browser-based clients from their own origin.
    if (oauth?.serveMetadata(path, req, res)) return;
    // So are the built-in issuer's discovery, registration and token endpoints (oidc-provider
    // answers CORS itself). Its consent page needs the person's password and its SameSite
    // interaction cookie, which a foreign page's form post does not carry.
    if (authorizationServer?.owns(path)) return authorizationServer.serve(req, res);
    if (origin !== undefined) {
      const originHost = originHostname(origin);
      if (originHost === undefined || !allowed.has(originHost)) {
        logger.warn("refused an HTTP request from a foreign Origin");
        return reject(res, 403, "Forbidden: requests from this Origin are not allowed.");
      }
    }
    // ClickSend cannot send the bearer token: the secret in the path stands for it.
    if (webhook && isWebhook(path)) return serveWebhook(req, res, webhook, logger);
    if (path !== MCP_PATH) {
      return reject(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`);
    }
    const operator = expectedToken && tokenMatches(req.headers.authorization, expectedToken);
    const auth = oauth && (operator ? OPERATOR : await oauth.authenticate(req, res));
    if (oauth && !auth) return;
    if (!oauth && expectedToken && !operator) {
      logger.warn("refused an HTTP request without the right bearer token");
      return reject(
        res,
        401,
        "Unauthorized: send Authorization: Bearer <CLICKSEND_MCP_HTTP_TOKEN>.",
        {
          "www-authenticate": `Bearer realm="${NAME}"`,
        },
      );
    }
    if (req.method !== "POST") {
      // Stateless: no sessions to stream to (GET) or end (DELETE).
      return reject(res, 405, "Method not allowed: this stateless server takes POST only.", {
        allow: "POST",
      });
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) {
        // Node answered 408 to a body too slow, or the client left: nobody is listening.
        if (req.socket.destroyed) return logger.warn("an HTTP request's body did not arrive");
        throw error;
      }
      return reject(res, 413, `Payload too large: the limit is ${limit} bytes.`, {
        connection: "close",
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return reject(res, 400, "Parse error: the body is not valid JSON.", {}, -32700);
    }

    if (oauth && auth && !(await oauth.authorize(auth, body, res))) return;

    cancellation.observe(req, res, body);
    // Node's own type differs from the adapter's only in optional properties' `undefined`.
    const forwarded = req as NodeIncomingMessageLike;
    // toNodeHandler hands it to the server factory (McpRequestContext.authInfo).
    if (auth) forwarded.auth = auth;
    await serveMcp(forwarded, res, body);
  }

  const maxInFlight = options.maxConcurrentRequests ?? MAX_CONCURRENT_REQUESTS;
  let inFlight = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (inFlight >= maxInFlight) {
      logger.warn(`refused an HTTP request: ${maxInFlight} requests already in flight`);
      return reject(res, 503, "Server busy: too many requests in flight; retry shortly.", {
        "retry-after": "1",
        connection: "close",
      });
    }
    inFlight += 1;
    res.once("close", () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      logger.error(`HTTP request failed: ${error instanceof Error ? error.name : "unknown error"}`);
      if (!res.headersSent) reject(res, 500, "Internal error.", {}, -32603);
      else res.end();
    });
  };
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const http = createServer(
    {
      headersTimeout: Math.min(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      // Node looks for expired requests this often (30 s by default, twice the timeout itself).
      connectionsCheckingInterval: 1000,
    },
    onRequest,
  );
  // "Expect: 100-continue": refuse an oversized body before the client sends it.
  http.on("checkContinue", (req, res) => {
    if (Number(req.headers["content-length"]) > limit) {
      return reject(res, 413, `Payload too large: the limit is ${limit} bytes.`, {
        connection: "close",
      });
    }
    res.writeContinue();
    onRequest(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const hostInUrl = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}${MCP_PATH}`;
  if (options.oauth) {
    try {
      routes = await options.oauth(url);
    } catch (error) {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      throw error;
    }
    routesMade();
  }
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        mcp.close().catch(() => {});
        http.close(() => {
          (routes?.close() ?? Promise.resolve()).catch(() => {}).finally(resolve);
        });
        http.closeIdleConnections();
        // In-flight calls get a moment to finish; then every connection is cut.
        setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      }),
  };
}
