/**
 * The fetch ky is given (src/node-fetch.ts), against a real local HTTP server: what goes out,
 * what comes back, what is not followed, and cancellation; and the client's warm-up, which must
 * send nothing to the API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClickSendClient } from "../src/client.js";
import { nodeFetch } from "../src/node-fetch.js";
import { HANG_MS } from "./support/wait.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[] = [];
let respond: (request: IncomingMessage, response: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      respond(request, response);
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((closed) => server.close(closed)));
beforeEach(() => {
  seen = [];
  respond = (_request, response) => response.end("ok");
});

describe("nodeFetch", () => {
  it("sends the method, url, headers and body of the Request", async () => {
    respond = (_request, response) => {
      response.setHeader("x-answer", "42");
      response.statusCode = 201;
      response.end('{"done":true}');
    };
    const response = await nodeFetch(
      new Request(`${base}/v3/sms/send?x=1`, {
        method: "POST",
        headers: { authorization: "Basic abc", "content-type": "application/json" },
        body: '{"a":"é"}',
      }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("x-answer")).toBe("42");
    expect(response.url).toBe(`${base}/v3/sms/send?x=1`);
    expect(await response.json()).toEqual({ done: true });
    expect(seen).toEqual([
      expect.objectContaining({
        method: "POST",
        url: "/v3/sms/send?x=1",
        body: '{"a":"é"}',
        headers: expect.objectContaining({
          authorization: "Basic abc",
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength('{"a":"é"}')),
        }),
      }),
    ]);
  });

  it("returns a redirect as it is, without following it", async () => {
    respond = (_request, response) => {
      response.writeHead(307, { location: "/elsewhere" }).end();
    };
    const response = await nodeFetch(new Request(`${base}/v3/account`));
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location") ?? "", response.url).pathname).toBe(
      "/elsewhere",
    );
    expect(seen.map((s) => s.url)).toEqual(["/v3/account"]);
  });

  it("decodes a gzip body", async () => {
    respond = (_request, response) => {
      response.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync('{"zipped":1}'));
    };
    const response = await nodeFetch(new Request(`${base}/`));
    expect(await response.text()).toBe('{"zipped":1}');
    expect(seen[0]?.headers["accept-encoding"]).toContain("gzip");
  });

  it("gives a 204 no body", async () => {
    respond = (_request, response) => response.writeHead(204).end();
    const response = await nodeFetch(new Request(`${base}/`, { method: "DELETE" }));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it("refuses at once when the signal is already aborted, and sends nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      nodeFetch(new Request(`${base}/`, { signal: controller.signal })),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual([]);
  });

  it("stops a body that is still arriving when the signal aborts", async () => {
    respond = (_request, response) => {
      response.writeHead(200);
      response.write("first part;");
    };
    const controller = new AbortController();
    const response = await nodeFetch(new Request(`${base}/`, { signal: controller.signal }));
    const reader = response.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe("first part;");
    controller.abort();
    await expect(reader?.read()).rejects.toBeDefined();
  });

  it("fails with the socket's code when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, "127.0.0.1", listening));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expect(nodeFetch(new Request(`http://127.0.0.1:${port}/`))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});

describe("the client's warm-up", () => {
  it("sends nothing to the API, and the first call after it works", async () => {
    respond = (_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end('{"response_code":"SUCCESS","response_msg":"ok","data":{"user_id":7}}');
    };
    const client = createClickSendClient({
      baseUrl: `${base}/v3`,
      auth: { kind: "basic", username: "u", apiKey: "k" },
      timeoutMs: HANG_MS,
      warmUpAfterMs: false,
    });
    await client.warmUp();
    await client.warmUp();
    expect(seen).toEqual([]);
    await expect(client.get("account")).resolves.toEqual({ user_id: 7 });
    expect(seen.map((s) => s.url)).toEqual(["/v3/account"]);
  });
});
