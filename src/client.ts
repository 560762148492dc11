import type { KyInstance } from "ky";
import {
  type Envelope,
  envelopeSchema,
  fieldErrorsOf,
  isSuccessCode,
  normalisePage,
  type Page,
} from "./envelope.js";
import {
  ClickSendApiError,
  ClickSendNetworkError,
  ClickSendResponseError,
  type Outcome,
  type RequestInfo,
} from "./errors.js";
import type { Logger } from "./logger.js";
import { NAME, VERSION } from "./version.js";

export type Auth =
  | { kind: "basic"; username: string; apiKey: string }
  | { kind: "bearer"; token: string }
  | { kind: "none" };

export interface ClientOptions {
  baseUrl: string;
  auth: Auth;
  timeoutMs: number;
  retry?: {
    /** Retries after the first attempt, for GET only. */
    limit?: number;
    /** First backoff delay; doubles each retry. */
    baseDelayMs?: number;
    /** Longest Retry-After we wait for; longer ones are reported to the model instead. */
    maxRetryAfterMs?: number;
  };
  logger?: Logger;
}

export type Query = Record<string, string | number | boolean | undefined>;
export interface CallOptions {
  signal?: AbortSignal;
}

export interface ClickSendClient {
  get<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<T>;
  getPage<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<Page<T>>;
  post<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T>;
  delete<T = unknown>(path: string, opts?: CallOptions): Promise<T>;
}

/** The client as a tool sees it: one call's view, its cancellation signal already bound. */
export interface RequestClient {
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  /** One normalised page, each item passed through shape when given. */
  page<T = unknown, R = T>(path: string, query?: Query, shape?: (item: T) => R): Promise<Page<R>>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body?: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

export function bindClient(client: ClickSendClient, signal: AbortSignal): RequestClient {
  const opts = { signal };
  return {
    get: (path, query) => client.get(path, query, opts),
    page: async <T, R>(path: string, query?: Query, shape?: (item: T) => R) => {
      const page = await client.getPage<T>(path, query, opts);
      return shape ? { ...page, items: page.items.map(shape) } : (page as unknown as Page<R>);
    },
    post: (path, body) => client.post(path, body, opts),
    put: (path, body) => client.put(path, body, opts),
    delete: (path) => client.delete(path, opts),
  };
}

const RETRY_STATUSES = [429, 500, 502, 503, 504];
/** Statuses whose Retry-After (or ratelimit-reset) says when to try again. */
/**
 * Only a 429 waits for Retry-After: ClickSend also sends ratelimit-reset (the window's reset, not
 * a retry hint) on every response, and a 503 must back off normally rather than read it.
 */
const RETRY_AFTER_STATUSES = [429];

type Ky = typeof import("ky");
let kyModule: Promise<Ky> | undefined;
/**
 * ky is loaded on the first request, not at start: importing it touches fetch, which makes Node
 * load undici, tens of milliseconds that the first tools/list does not need.
 */
const loadKy = (): Promise<Ky> => {
  kyModule ??= import("ky");
  return kyModule;
};

function authorizationHeader(auth: Auth): string | undefined {
  if (auth.kind === "basic") {
    return `Basic ${Buffer.from(`${auth.username}:${auth.apiKey}`).toString("base64")}`;
  }
  if (auth.kind === "bearer") return `Bearer ${auth.token}`;
  return undefined;
}

export function createClickSendClient(options: ClientOptions): ClickSendClient {
  const maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? 10_000;
  const baseDelayMs = options.retry?.baseDelayMs ?? 300;
  const authorization = authorizationHeader(options.auth);
  const create = ({ default: ky, HTTPError }: Ky): KyInstance =>
    ky.create({
      prefixUrl: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs,
      headers: {
        accept: "application/json",
        "user-agent": `${NAME}/${VERSION}`,
        ...(authorization ? { authorization } : {}),
      },
      retry: {
        limit: options.retry?.limit ?? 2,
        methods: ["get"],
        statusCodes: RETRY_STATUSES,
        afterStatusCodes: RETRY_AFTER_STATUSES,
        maxRetryAfter: maxRetryAfterMs,
        delay: (attempt) => baseDelayMs * 2 ** (attempt - 1),
        jitter: false,
        // A Retry-After longer than we are willing to wait goes back to the model instead.
        shouldRetry: ({ error }) => {
          if (error instanceof HTTPError && RETRY_AFTER_STATUSES.includes(error.response.status)) {
            const after = retryAfterSeconds(error.response);
            if (after !== undefined && after * 1000 > maxRetryAfterMs) return false;
          }
          return undefined;
        },
      },
    });
  let http: KyInstance | undefined;

  async function call<T>(
    method: "get" | "post" | "put" | "delete",
    path: string,
    init: { query?: Query | undefined; body?: unknown; signal?: AbortSignal | undefined },
  ): Promise<T> {
    const request: RequestInfo = { method: method.toUpperCase(), path };
    const started = Date.now();
    let response: Response;
    const ky = await loadKy();
    http ??= create(ky);
    try {
      response = await http(path, {
        method,
        searchParams: toSearchParams(init.query),
        ...(init.body !== undefined ? { json: init.body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ky.HTTPError) {
        response = error.response;
      } else {
        const failure = networkError(request, error, ky);
        options.logger?.warn(`${request.method} /${path} failed: ${failure.kind}`);
        throw failure;
      }
    }
    options.logger?.debug(
      `${request.method} /${path} -> ${response.status} in ${Date.now() - started} ms`,
    );
    const envelope = await readEnvelope(request, response);
    const code = envelope.response_code;
    if (!response.ok || !isSuccessCode(code)) {
      throw new ClickSendApiError(
        request,
        response.status,
        code,
        envelope.response_msg,
        fieldErrorsOf(envelope.data),
        retryAfterSeconds(response),
      );
    }
    // The envelope is checked; the shape of data is the endpoint's, as the caller declares it.
    return envelope.data as T;
  }

  return {
    get: (path, query, opts) => call("get", path, { query, signal: opts?.signal }),
    getPage: async (path, query, opts) => {
      const data = await call<unknown>("get", path, { query, signal: opts?.signal });
      try {
        return normalisePage(data);
      } catch {
        throw new ClickSendResponseError(
          { method: "GET", path },
          200,
          "not_sent",
          `ClickSend answered GET /${path} with data that is not a page of results. This read is safe to retry.`,
        );
      }
    },
    post: (path, body, opts) => call("post", path, { body, signal: opts?.signal }),
    put: (path, body, opts) => call("put", path, { body, signal: opts?.signal }),
    delete: (path, opts) => call("delete", path, { signal: opts?.signal }),
  };
}

function toSearchParams(query: Query | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

function writeOutcome(request: RequestInfo): Outcome {
  return request.method === "GET" ? "not_sent" : "maybe_sent";
}

async function readEnvelope(request: RequestInfo, response: Response): Promise<Envelope> {
  const failed = (detail: string) =>
    new ClickSendResponseError(
      request,
      response.status,
      response.status < 500 && !response.ok ? "not_sent" : writeOutcome(request),
      `ClickSend answered ${request.method} /${request.path} with HTTP ${response.status} and ${detail}.${
        request.method === "GET" ? " This read is safe to retry." : ""
      }`,
    );
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw failed("a body that was cut off");
  }
  if (text.trim() === "") throw failed("an empty body");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw failed(
      text.trimStart().startsWith("<") ? "an HTML page instead of JSON" : "malformed JSON",
    );
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw failed("JSON that is not ClickSend's response envelope");
  return parsed.data;
}

export function retryAfterSeconds(response: Response): number | undefined {
  const raw = response.headers.get("retry-after") ?? response.headers.get("ratelimit-reset");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function networkError(
  request: RequestInfo,
  error: unknown,
  { TimeoutError }: Ky,
): ClickSendNetworkError {
  const where = `${request.method} /${request.path}`;
  if (error instanceof TimeoutError) {
    return new ClickSendNetworkError(
      request,
      "timeout",
      writeOutcome(request),
      `ClickSend did not answer ${where} in time (timeout).`,
    );
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new ClickSendNetworkError(
      request,
      "aborted",
      writeOutcome(request),
      `${where} was cancelled.`,
    );
  }
  const code = causeCode(error);
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    // The connection was never made, so nothing can have been sent.
    return new ClickSendNetworkError(
      request,
      "refused",
      "not_sent",
      `Could not connect to ClickSend for ${where} (${code}); check the network or CLICKSEND_BASE_URL.`,
    );
  }
  return new ClickSendNetworkError(
    request,
    code === "ECONNRESET" || code === "UND_ERR_SOCKET" ? "reset" : "network",
    writeOutcome(request),
    `The connection to ClickSend broke during ${where}${code ? ` (${code})` : ""}.`,
  );
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
