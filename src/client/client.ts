import type { KyInstance } from "ky";
import {
  ClickSendApiError,
  ClickSendNetworkError,
  ClickSendResponseError,
  type Outcome,
  type RequestInfo,
} from "../errors.js";
import type { Logger } from "../logger.js";
import { NAME, VERSION } from "../version.js";
import {
  type Envelope,
  envelopeSchema,
  fieldErrorsOf,
  isSuccessCode,
  normalisePage,
  type Page,
} from "./envelope.js";
import { redactorFor } from "./redact.js";
import { BodyTooLargeError, readCappedText } from "./response-body.js";

export type Auth =
  | { kind: "basic"; username: string; apiKey: string }
  | { kind: "bearer"; token: string }
  | { kind: "none" };

/**
 * The most of an answer that is read. ClickSend's largest answer is a page of 100 history items;
 * 100 bodies of 1,224 characters, each JSON-escaped to as many as 12 bytes, plus their fields,
 * come to about 1.6 MB, so 4 MiB leaves room and still bounds what one call can hold.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface ClientOptions {
  baseUrl: string;
  auth: Auth;
  /** One deadline for a whole call: every attempt, every wait between them, every body. */
  timeoutMs: number;
  /** Answers longer than this fail unread (MAX_RESPONSE_BYTES by default). */
  maxResponseBytes?: number;
  retry?: {
    /** Retries after the first attempt, for GET only. */
    limit?: number;
    /** First backoff delay; doubles each retry. */
    baseDelayMs?: number;
    /** Longest Retry-After we wait for; longer ones are reported to the model instead. */
    maxRetryAfterMs?: number;
  };
  logger?: Logger;
  /**
   * Warm the HTTP stack (warmUp) this long after the client is made, on an unref'd timer, so the
   * first tool call does not pay for loading it. false: never on its own (a caller may still call
   * warmUp()). Default WARM_UP_AFTER_MS.
   */
  warmUpAfterMs?: number | false;
}

/** Long enough after start for a host's initialize and tools/list to have been answered. */
export const WARM_UP_AFTER_MS = 300;
/** Canned calls the warm-up makes through ky, each a few hundred microseconds. */
const WARM_UP_ROUNDS = 8;

export type Query = Record<string, string | number | boolean | undefined>;
export interface CallOptions {
  signal?: AbortSignal;
  /** The endpoint may answer without the envelope (ClickSend's newer ones do): a bare body is data. */
  bare?: boolean;
}

export interface ClickSendClient {
  get<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<T>;
  getPage<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<Page<T>>;
  post<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T>;
  delete<T = unknown>(path: string, opts?: CallOptions): Promise<T>;
  /**
   * Loads ky and runs a few canned calls through it and the envelope reader, sending nothing:
   * the first real call then does not pay for loading and compiling them. Idempotent; never
   * rejects. Call it when idle, after the first tools/list has been answered.
   */
  warmUp(): Promise<void>;
}

/** The client as a tool sees it: one call's view, its cancellation signal already bound. */
export interface RequestClient {
  get<T = unknown>(path: string, query?: Query, opts?: Pick<CallOptions, "bare">): Promise<T>;
  /** One normalised page, each item passed through shape when given. */
  page<T = unknown, R = T>(path: string, query?: Query, shape?: (item: T) => R): Promise<Page<R>>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body?: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

export function bindClient(client: ClickSendClient, signal: AbortSignal): RequestClient {
  const opts = { signal };
  return {
    get: (path, query, more) => client.get(path, query, { ...more, ...opts }),
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
 * ky is loaded on the first request (or by warmUp), not at start: importing it touches fetch's
 * classes, which makes Node load undici, tens of milliseconds that the first tools/list does not
 * need.
 */
const loadKy = (): Promise<Ky> => {
  kyModule ??= Promise.all([import("ky"), import("./heap.js")]).then(([ky, heap]) => {
    // Requests are what makes this process allocate from here on (see heap.ts).
    heap.keepHeapNearLive();
    return ky;
  });
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
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const authorization = authorizationHeader(options.auth);
  const create = ({ default: ky, HTTPError }: Ky): KyInstance =>
    ky.create({
      prefixUrl: options.baseUrl.replace(/\/+$/, ""),
      // ky's timeout ends at the headers; call() keeps one deadline over the body as well.
      timeout: false,
      // A redirect would re-post recipients and text elsewhere, or turn a send into a GET.
      redirect: "manual",
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
  let warming: Promise<void> | undefined;

  const warmUp = (): Promise<void> => {
    warming ??= (async () => {
      const ky = await loadKy();
      http ??= create(ky);
      // One call through ky and the envelope reader with a fetch that answers in-process.
      const canned = async () =>
        new Response('{"response_code":"SUCCESS","response_msg":"","data":{}}', {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      const request: RequestInfo = { method: "GET", path: "warm-up" };
      // A few times over: V8 compiles a function for real only once it has run a little.
      for (let i = 0; i < WARM_UP_ROUNDS; i++) {
        const response = await http("warm-up", { fetch: canned, searchParams: { page: i } });
        await readEnvelope(request, response, maxResponseBytes, () => undefined);
      }
    })().catch(() => {});
    return warming;
  };
  if (options.warmUpAfterMs !== false) {
    setTimeout(warmUp, options.warmUpAfterMs ?? WARM_UP_AFTER_MS).unref();
  }

  async function call<T>(
    method: "get" | "post" | "put" | "delete",
    path: string,
    init: {
      query?: Query | undefined;
      body?: unknown;
      signal?: AbortSignal | undefined;
      bare?: boolean | undefined;
    },
  ): Promise<T> {
    const request: RequestInfo = { method: method.toUpperCase(), path };
    const started = Date.now();
    const ky = await loadKy();
    http ??= create(ky);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    // One controller that the caller's signal also aborts: AbortSignal.any would tie every call's
    // signals together through WeakRefs, which survive young-generation GCs and grow the heap.
    const follow = () => deadline.abort();
    init.signal?.addEventListener("abort", follow, { once: true });
    if (init.signal?.aborted) follow();
    const stopped = () => interruption(request, init.signal, deadline.signal, options.timeoutMs);
    try {
      let response: Response;
      try {
        response = await http(path, {
          method,
          searchParams: toSearchParams(init.query),
          ...(init.body !== undefined ? { json: init.body } : {}),
          signal: deadline.signal,
        });
      } catch (error) {
        if (!(error instanceof ky.HTTPError)) {
          const failure = stopped() ?? networkError(request, error);
          options.logger?.warn(`${request.method} /${path} failed: ${failure.kind}`);
          throw failure;
        }
        response = error.response;
      }
      options.logger?.debug(
        `${request.method} /${path} -> ${response.status} in ${Date.now() - started} ms`,
      );
      if (response.status >= 300 && response.status < 400) {
        response.body?.cancel().catch(() => {});
        throw redirectError(request, response);
      }
      const envelope = await readEnvelope(request, response, maxResponseBytes, stopped, init.bare);
      const code = envelope.response_code;
      if (!response.ok || !isSuccessCode(code)) {
        const redact = redactorFor(options.auth, init.body);
        throw new ClickSendApiError(
          request,
          response.status,
          redact(code),
          redact(envelope.response_msg),
          Object.fromEntries(
            Object.entries(fieldErrorsOf(envelope.data)).map(([k, v]) => [redact(k), redact(v)]),
          ),
          retryAfterSeconds(response),
        );
      }
      // The envelope is checked; the shape of data is the endpoint's, as the caller declares it.
      return envelope.data as T;
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener("abort", follow);
    }
  }

  return {
    get: (path, query, opts) =>
      call("get", path, { query, signal: opts?.signal, bare: opts?.bare }),
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
    warmUp,
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

/** What an answer that could not be used says about the request: a 4xx was refused. */
const answeredOutcome = (request: RequestInfo, response: Response): Outcome =>
  response.status < 500 && !response.ok ? "not_sent" : writeOutcome(request);

async function readEnvelope(
  request: RequestInfo,
  response: Response,
  maxBytes: number,
  stopped: () => ClickSendNetworkError | undefined,
  bare = false,
): Promise<Envelope> {
  const failed = (detail: string, retry = " This read is safe to retry.") =>
    new ClickSendResponseError(
      request,
      response.status,
      answeredOutcome(request, response),
      `ClickSend answered ${request.method} /${request.path} with HTTP ${response.status} and ${detail}.${
        request.method === "GET" ? retry : ""
      }`,
    );
  let text: string;
  try {
    text = await readCappedText(response, maxBytes);
  } catch (error) {
    const interrupted = stopped();
    if (interrupted) {
      // The status is in: a refusal stays a refusal even when its body never finished.
      throw new ClickSendNetworkError(
        request,
        interrupted.kind,
        answeredOutcome(request, response),
        `${interrupted.message.replace(/\.$/, "")}: HTTP ${response.status} came, its body was still arriving.`,
      );
    }
    if (error instanceof BodyTooLargeError) {
      throw failed(
        `a body over ${maxBytes / 1024 / 1024} MiB, which was not read`,
        " Ask for less (a smaller limit or a narrower search).",
      );
    }
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
  if (parsed.success) return parsed.data;
  if (bare && json && typeof json === "object") {
    const { message, errors } = json as { message?: unknown; errors?: unknown };
    return response.ok
      ? { response_code: "SUCCESS", response_msg: "", data: json }
      : {
          response_code: `HTTP_${response.status}`,
          response_msg: typeof message === "string" ? message : "",
          data: errors,
        };
  }
  throw failed("JSON that is not ClickSend's response envelope");
}

export function retryAfterSeconds(response: Response): number | undefined {
  const raw = response.headers.get("retry-after") ?? response.headers.get("ratelimit-reset");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The call was cancelled by its caller or ran out of time; undefined if neither. */
function interruption(
  request: RequestInfo,
  caller: AbortSignal | undefined,
  deadline: AbortSignal,
  timeoutMs: number,
): ClickSendNetworkError | undefined {
  const where = `${request.method} /${request.path}`;
  if (caller?.aborted) {
    return new ClickSendNetworkError(
      request,
      "aborted",
      writeOutcome(request),
      `${where} was cancelled.`,
    );
  }
  if (deadline.aborted) {
    return new ClickSendNetworkError(
      request,
      "timeout",
      writeOutcome(request),
      `ClickSend did not answer ${where} in time (timeout after ${timeoutMs} ms).`,
    );
  }
  return undefined;
}

/**
 * ClickSend never redirects its API: a 3xx comes from whatever else answers at the base URL, and
 * is not followed. The request went no further, so nothing was done, except after a 303 (See
 * Other), which by definition answers a request that was handled.
 */
function redirectError(request: RequestInfo, response: Response): ClickSendResponseError {
  const { status } = response;
  let where = "with no Location";
  const location = response.headers.get("location");
  if (location !== null) {
    try {
      where = `to ${new URL(location, response.url).host}`;
    } catch {
      where = "to an invalid Location";
    }
  }
  const handled = status === 303 && request.method !== "GET";
  return new ClickSendResponseError(
    request,
    status,
    handled ? "maybe_sent" : "not_sent",
    `The server at CLICKSEND_BASE_URL answered ${request.method} /${request.path} with a redirect (HTTP ${status}) ${where}, which was not followed: check CLICKSEND_BASE_URL.`,
  );
}

function networkError(request: RequestInfo, error: unknown): ClickSendNetworkError {
  const where = `${request.method} /${request.path}`;
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
