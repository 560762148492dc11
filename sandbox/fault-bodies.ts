/** The answers of the faults that stream, echo or redirect, written straight to the response. */
import type { ServerResponse } from "node:http";
import { fail, type SandboxResponse } from "./envelope.js";

/** The headers and then the body one byte every intervalMs, until done or the client leaves. */
export function trickle(res: ServerResponse, response: SandboxResponse, intervalMs: number): void {
  const body = Buffer.from(JSON.stringify(response.body));
  res.writeHead(response.status, {
    "content-type": "application/json",
    "content-length": body.length,
    ...response.headers,
  });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    res.write(body.subarray(sent, sent + 1));
    sent += 1;
    if (sent >= body.length) {
      clearInterval(timer);
      res.end();
    }
  }, intervalMs);
  res.on("close", () => clearInterval(timer));
}

/**
 * A 200 envelope of exactly `bytes` bytes whose data is one long string, written in chunks as the
 * client takes them. onBytes is told the running count of body bytes written.
 */
export async function oversized(
  res: ServerResponse,
  bytes: number,
  declared: boolean,
  onBytes: (sent: number) => void,
): Promise<void> {
  const head = Buffer.from(
    '{"http_code":200,"response_code":"SUCCESS","response_msg":"Here are your data.","data":{"padding":"',
  );
  const tail = Buffer.from('"}}');
  res.writeHead(200, {
    "content-type": "application/json",
    ...(declared ? { "content-length": bytes } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, "x");
  let sent = 0;
  const write = async (data: Buffer) => {
    if (res.destroyed) return;
    sent += data.length;
    onBytes(sent);
    if (!res.write(data)) {
      // Whichever comes first; the other listener is removed, or they pile up over a long body.
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.once("drain", done);
        res.once("close", done);
      });
    }
  };
  await write(head);
  for (let left = bytes - head.length - tail.length; left > 0 && !res.destroyed; ) {
    const part = chunk.subarray(0, Math.min(left, chunk.length));
    left -= part.length;
    await write(part);
  }
  await write(tail);
  if (!res.destroyed) res.end();
}

/** What a careless upstream answers: the credentials and the body it was sent, quoted back. */
export function echo(authorization: string | undefined, raw: Buffer): SandboxResponse {
  const request = raw.toString("utf8");
  return fail(400, "BAD_REQUEST", `Invalid request (Authorization: ${authorization}): ${request}`, {
    request: `Could not read ${request} sent with ${authorization}`,
  });
}

/** A redirect with a body as web servers send them; the request is not handled. */
export function redirect(res: ServerResponse, status: number, location: string): void {
  const body = `<html><body>Moved to <a href="${location}">${location}</a></body></html>`;
  res.writeHead(status, {
    location,
    "content-type": "text/html",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
