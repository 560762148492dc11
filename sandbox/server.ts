import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  badRequest,
  errorBodyFor,
  fail,
  notFoundEndpoint,
  type SandboxResponse,
  unauthorized,
} from "./envelope.js";
import * as faultBodies from "./fault-bodies.js";
import { type Fault, FaultInjector } from "./faults.js";
import { keepArrivals } from "./replies.js";
import { matchPattern, type Route } from "./router.js";
import { routes as defaultRoutes } from "./routes/index.js";
import { SandboxState, type SandboxUser, type StateOptions } from "./state.js";
import { pushArrivals } from "./url-rules.js";

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  user?: string;
  fault?: Fault["type"];
  status?: number;
  /** The User-Agent and Content-Type request headers; the Authorization header is never kept. */
  userAgent?: string | undefined;
  contentType?: string | undefined;
  /**
   * The connection closed before a response was written: the client gave up (timeout,
   * cancellation) or a drop fault cut it. A delayed request is still handled after its delay.
   */
  closedEarly?: boolean;
  /** Body bytes an oversized fault wrote before the client stopped reading (or all of them). */
  bytesSent?: number;
}

export interface SandboxOptions extends StateOptions {
  /** Path the API is served under; "/v3" like ClickSend, or a gateway's "/clicksend/v3". */
  prefix?: string;
  /** Also accept "Authorization: Bearer <token>" for the main user (API gateway mode). */
  bearerToken?: string;
  username?: string;
  apiKey?: string;
  /** Requests allowed per route and window before 429. */
  rateLimit?: { limit: number; windowMs: number };
  routes?: Route[];
  /**
   * Run URL-action automation rules (sandbox/url-rules.ts): after each request, POST what
   * arrived (replies, receipts) to the address of each enabled URL rule. Off by default.
   */
  urlRules?: boolean;
}

export interface Sandbox {
  /** The base URL a client uses, e.g. http://127.0.0.1:40123/v3 */
  baseUrl: string;
  credentials: { username: string; apiKey: string };
  state: SandboxState;
  requests: RequestRecord[];
  faults: FaultInjector;
  /** With urlRules: posts what arrived so far to the URL rules now; settles when answered. */
  pushArrivals(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const prefix = (options.prefix ?? "/v3").replace(/\/+$/, "");
  const credentials = {
    username: options.username ?? "sandbox",
    apiKey: options.apiKey ?? randomBytes(16).toString("hex").toUpperCase(),
  };
  const state = new SandboxState(credentials, { pollRules: options.pollRules ?? true });
  const requests: RequestRecord[] = [];
  const faults = new FaultInjector();
  const routes = options.routes ?? defaultRoutes;
  const rateLimit = options.rateLimit ?? { limit: 100_000, windowMs: 60_000 };
  const windows = new Map<string, { start: number; count: number }>();
  if (options.urlRules) keepArrivals(state);
  const push = () => (options.urlRules ? pushArrivals(state) : Promise.resolve());

  const server = createServer((req, res) => {
    handle(req, res)
      .catch(() => {
        if (!res.headersSent)
          send(res, fail(500, "INTERNAL_SERVER_ERROR", "Something went wrong."));
      })
      // What the request made arrive (a reply to a text it sent) goes to URL rules after it.
      .finally(() => void push());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    if (!url.pathname.startsWith(`${prefix}/`)) return send(res, notFoundEndpoint());
    const path = url.pathname.slice(prefix.length + 1).replace(/\/+$/, "");
    let body: unknown;
    let badJson = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        badJson = true;
      }
    }
    const record: RequestRecord = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      userAgent: req.headers["user-agent"],
      contentType: req.headers["content-type"],
    };
    requests.push(record);
    res.on("close", () => {
      if (!res.writableFinished) record.closedEarly = true;
    });

    const fault = faults.take(method, path);
    if (fault) record.fault = fault.type;
    if (fault?.type === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault && !["delay", "drop_after", "trickle"].includes(fault.type)) {
      return applyFault(req, res, fault, record, raw);
    }
    if (badJson) return finish(res, record, badRequest("The request body is not valid JSON."));

    const matching = routes
      .map((r) => ({ route: r, params: matchPattern(r.pattern, path) }))
      .filter((m) => m.params !== undefined);
    const found = matching.find((m) => m.route.method === method);
    // ClickSend answers a wrong method on a real path with the same 404 as an unknown path.
    if (!found) return finish(res, record, notFoundEndpoint());

    const auth = authenticate(req.headers.authorization);
    if (auth.user) record.user = auth.user.username;
    if (!found.route.public && auth.denied) return finish(res, record, auth.denied);

    const limited = rateLimitFor(found.route.pattern);
    let response: SandboxResponse;
    if (limited.exceeded) {
      response = fail(429, "TOO_MANY_REQUESTS", "Too many attempts.");
      response.headers = { "retry-after": String(limited.reset) };
    } else {
      response = found.route.handle({
        method,
        path,
        params: found.params as Record<string, string>,
        query: url.searchParams,
        body,
        user: auth.user,
        state,
        url: `http://${req.headers.host}${prefix}/${path}`,
      });
    }
    response.headers = {
      "x-ratelimit-limit": String(rateLimit.limit),
      "x-ratelimit-remaining": String(limited.remaining),
      "ratelimit-reset": String(limited.reset),
      ...response.headers,
    };
    if (fault?.type === "drop_after") {
      record.status = response.status;
      res.socket?.destroy();
      return;
    }
    if (fault?.type === "trickle") {
      record.status = response.status;
      return faultBodies.trickle(res, response, fault.intervalMs);
    }
    finish(res, record, response);
  }

  function authenticate(header: string | undefined): {
    user?: SandboxUser;
    denied?: SandboxResponse;
  } {
    if (!header) return { denied: unauthorized() };
    const [scheme, value] = header.split(" ", 2);
    let user: SandboxUser | undefined;
    if (scheme === "Basic" && value) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const at = decoded.indexOf(":");
      const username = decoded.slice(0, at);
      const apiKey = decoded.slice(at + 1);
      user = state.users.find((u) => u.username === username && u.apiKey === apiKey);
    } else if (scheme === "Bearer" && options.bearerToken && value === options.bearerToken) {
      user = state.users[0];
    }
    if (!user || user.status === "notactive") return { denied: unauthorized() };
    if (user.status === "banned") {
      return {
        user,
        denied: fail(
          403,
          "FORBIDDEN",
          "Your account is suspended. Please contact support for more information.",
        ),
      };
    }
    return { user };
  }

  function rateLimitFor(key: string) {
    const t = Date.now();
    let window = windows.get(key);
    if (!window || t - window.start >= rateLimit.windowMs) {
      window = { start: t, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    const reset = Math.ceil((window.start + rateLimit.windowMs - t) / 1000);
    return {
      exceeded: window.count > rateLimit.limit,
      remaining: Math.max(0, rateLimit.limit - window.count),
      reset,
    };
  }

  function applyFault(
    req: IncomingMessage,
    res: ServerResponse,
    fault: Fault,
    record: RequestRecord,
    raw: Buffer,
  ): void {
    switch (fault.type) {
      case "status": {
        const response = fault.body
          ? { status: fault.status, body: fault.body }
          : errorBodyFor(fault.status);
        if (fault.retryAfter !== undefined)
          response.headers = { "retry-after": String(fault.retryAfter) };
        finish(res, record, response);
        return;
      }
      case "html":
        record.status = fault.status ?? 502;
        res.writeHead(record.status, { "content-type": "text/html" });
        res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
        return;
      case "empty":
        record.status = fault.status ?? 200;
        res.writeHead(record.status, { "content-type": "application/json" });
        res.end();
        return;
      case "truncated":
        record.status = 200;
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"http_code":200,"response_code":"SUCCESS","response_msg":"Here are');
        return;
      case "redirect":
        record.status = fault.status;
        faultBodies.redirect(res, fault.status, fault.location);
        return;
      case "echo":
        finish(res, record, faultBodies.echo(req.headers.authorization, raw));
        return;
      case "oversized":
        record.status = 200;
        record.bytesSent = 0;
        void faultBodies.oversized(res, fault.bytes, fault.declared ?? false, (sent) => {
          record.bytesSent = sent;
        });
        return;
      default:
        res.socket?.destroy();
        return;
    }
  }

  function finish(res: ServerResponse, record: RequestRecord, response: SandboxResponse): void {
    record.status = response.status;
    send(res, response);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${prefix}`,
    credentials,
    state,
    requests,
    faults,
    pushArrivals: push,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, response: SandboxResponse): void {
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...response.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
