/**
 * The fetch ky is given: one request over node:http or node:https through a keep-alive agent with
 * a bounded pool. Node's own fetch (undici) keeps every request's signal bookkeeping in WeakRefs
 * and FinalizationRegistry cells, which survive V8's young-generation collections: over thousands
 * of calls that promotion alone made the server's RSS triple. This speaks HTTP/1.1 the way the
 * client needs it and nothing more: no redirects are followed (3xx comes back as it is), the body
 * is a stream so the client's byte cap and deadline still apply while it arrives, and aborting the
 * request's signal destroys the socket.
 */
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type AddressInfo, isIP } from "node:net";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** Sockets kept per host: more concurrent calls than this wait for one. */
const MAX_SOCKETS = 16;
/** Idle sockets kept open for the next call. */
const MAX_FREE_SOCKETS = 4;
/** An idle kept-alive socket is closed after this, before a server drops it under a request. */
const FREE_SOCKET_MS = 4_000;

const agentOptions = {
  keepAlive: true,
  maxSockets: MAX_SOCKETS,
  maxFreeSockets: MAX_FREE_SOCKETS,
  timeout: FREE_SOCKET_MS,
  scheduling: "lifo",
} as const;

let agents: { http: HttpAgent; https: HttpsAgent } | undefined;
const agentsOf = () => {
  agents ??= { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  return agents;
};

/** Requests the warm-up makes to its own loopback server. */
const WARM_UP_REQUESTS = 4;

/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip()
      : encoding === "deflate"
        ? createInflate()
        : encoding === "br"
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

/** A Node stream as a web ReadableStream that reads only as fast as it is read. */
function webStream(source: Readable, onCancel: () => void): ReadableStream<Uint8Array> {
  source.pause();
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) source.pause();
      });
      source.once("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      // A socket destroyed mid-body ends in close without end: the body was cut off.
      source.once("close", () => {
        if (settled) return;
        settled = true;
        controller.error(
          Object.assign(new Error("The answer was cut off"), { code: "ECONNRESET" }),
        );
      });
      source.once("error", (error) => {
        if (settled) return;
        settled = true;
        controller.error(error);
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      settled = true;
      onCancel();
    },
  });
}

function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers.append(raw[i] as string, raw[i + 1] as string);
  }
  return headers;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("This operation was aborted", "AbortError");

/** fetch(request) over node:http(s): what ky calls with the Request it built. */
export const nodeFetch = (input: Request): Promise<Response> => fetchWith(input);

async function fetchWith(input: Request, agent?: HttpAgent): Promise<Response> {
  const { signal } = input;
  if (signal.aborted) throw abortReason(signal);
  const url = new URL(input.url);
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") {
    throw new TypeError(`Unsupported protocol ${url.protocol}`);
  }
  const body = input.body === null ? undefined : Buffer.from(await input.arrayBuffer());
  const headers: Record<string, string> = {};
  input.headers.forEach((value, key) => {
    headers[key] = value;
  });
  headers["accept-encoding"] ??= "gzip, deflate, br";
  if (body) headers["content-length"] = String(body.byteLength);

  return new Promise<Response>((resolve, reject) => {
    const { http, https } = agentsOf();
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: input.method,
      headers,
      agent: agent ?? (secure ? https : http),
    });
    let response: IncomingMessage | undefined;
    const abort = () => {
      const reason = abortReason(signal);
      request.destroy(reason instanceof Error ? reason : undefined);
      response?.destroy(reason instanceof Error ? reason : undefined);
      reject(reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    const done = () => signal.removeEventListener("abort", abort);
    request.once("error", (error) => {
      done();
      reject(error);
    });
    request.once("response", (incoming) => {
      response = incoming;
      incoming.once("close", done);
      const status = incoming.statusCode ?? 0;
      try {
        const stream = NULL_BODY.has(status)
          ? null
          : webStream(decoded(incoming), () => incoming.destroy());
        if (!stream) incoming.resume();
        const result = new Response(stream, {
          status,
          statusText: incoming.statusMessage ?? "",
          headers: headersOf(incoming),
        });
        // A Response built here has no url; the client resolves a redirect's Location against it.
        Object.defineProperty(result, "url", { value: input.url });
        resolve(result);
      } catch (error) {
        // A status or header the fetch API cannot represent: a broken answer.
        incoming.destroy();
        reject(error);
      }
    });
    request.end(body);
  });
}

/**
 * Readies what a first request to baseUrl would otherwise pay for, sending nothing to it: the
 * agents, one request to a throwaway server on the loopback (Node's HTTP client and parser, and
 * this module, compiled and run once), and for https the root certificates and a DNS lookup of
 * the host (which warms the system resolver's cache, if it has one). Never throws.
 */
export async function warmNodeFetch(baseUrl: string): Promise<void> {
  agentsOf();
  const ignore = () => {};
  const target = new URL(baseUrl);
  if (target.protocol === "https:") {
    const [{ createSecureContext }, { lookup }] = await Promise.all([
      import("node:tls"),
      import("node:dns/promises"),
    ]);
    createSecureContext();
    if (!isIP(target.hostname.replace(/^\[|\]$/g, ""))) {
      await lookup(target.hostname).catch(ignore);
    }
  }
  const server = createServer((_request, response) => {
    response.setHeader("content-type", "application/json");
    response.end('{"response_code":"SUCCESS","response_msg":"","data":{}}');
  });
  try {
    await new Promise<void>((listening, failed) => {
      server.once("error", failed);
      server.listen(0, "127.0.0.1", listening);
    });
    const { port } = server.address() as AddressInfo;
    // Kept alive, so both a new connection and the reuse of one are run.
    const agent = new HttpAgent({ keepAlive: true });
    for (let i = 0; i < WARM_UP_REQUESTS; i++) {
      const response = await fetchWith(new Request(`http://127.0.0.1:${port}/?n=${i}`), agent);
      await response.text();
    }
    agent.destroy();
  } catch {
    // Warming is best effort: the first real request does the same work if this could not.
  } finally {
    server.close();
  }
}
