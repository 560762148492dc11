import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import * as z from "zod";
import { UserInputError } from "../src/errors.js";
import { defineTool } from "../src/tool/define-tool.js";
import { CREATE } from "./annotations.js";

/**
 * MMS media (clicksend-api.md §6.1, §15): ClickSend sends a .jpg or .gif of at most 250 kB at a
 * public URL as it is; any other image goes through POST uploads?convert=mms first, which hosts a
 * converted copy and answers its URL (_url).
 */

export const MMS_MAX_BYTES = 250 * 1024;
/** The largest file taken: ClickSend shrinks it to 250 kB, and each byte is paid for as tokens. */
const MAX_FILE_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

/** Why ClickSend would not send this media_file as it is, or undefined when it would. */
export function mediaProblem(url: string): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  if (ext === "jpg" || ext === "gif") return undefined;
  return `media_file is ${ext ? `a .${ext}` : "not a .jpg or .gif"}: ClickSend sends only a .jpg or .gif of at most 250 kB as it is, and fails each message otherwise. Convert it with upload_media and pass the URL it returns.`;
}

/** Loopback, private, link-local, CGNAT and unique-local addresses: not "public". */
const PRIVATE = [
  /^(0|10|127)\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^(::1?|f[cd].*|fe[89ab].*|::ffff:.*)$/i,
];

/** The file at a public URL; a URL that leads inside the server's network is refused. */
async function download(url: URL): Promise<Buffer> {
  const refuse = (why: string) => new UserInputError(`url: ${why}.`, ["url"]);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  if (addresses.some((a) => PRIVATE.some((p) => p.test(a)))) {
    throw refuse(`${host} is not a public address`);
  }
  // No redirects: each would need the same check.
  const answer = await fetch(url, {
    redirect: "error",
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!answer.ok) throw refuse(`${host} answered HTTP ${answer.status}`);
  const file = Buffer.from(await answer.arrayBuffer());
  if (file.length > MAX_FILE_BYTES) throw refuse(`the file is over ${MAX_FILE_BYTES} bytes`);
  return file;
}

const base64 = z
  .string()
  .max(Math.ceil(MAX_FILE_BYTES / 3) * 4, `must be at most ${MAX_FILE_BYTES} bytes of file`)
  .regex(/^[A-Za-z0-9+/\s]+={0,2}\s*$/, "must be base64");

export const uploadMedia = defineTool({
  name: "upload_media",
  toolset: "mms",
  title: "Upload MMS media",
  description:
    "Convert an image for MMS (POST uploads?convert=mms) and get the URL to pass as media_file. Not needed for a public .jpg or .gif up to 250 kB.",
  input: () =>
    z
      .strictObject({
        content: base64.optional().describe("The image file, base64; at most 1 MB"),
        url: z
          .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
          .optional()
          .describe("Or a public URL of the image"),
      })
      .superRefine(({ content, url }, ctx) => {
        if ((content === undefined) !== (url === undefined)) return;
        ctx.addIssue({
          code: "custom",
          path: [content === undefined ? "content" : "url"],
          message:
            content === undefined
              ? "required: give content or url"
              : "give content or url, not both",
        });
      }),
  // Each call hosts a new copy (kept by ClickSend for 10 minutes).
  annotations: { ...CREATE, idempotentHint: false },
  output: z.object({ media_file: z.string(), note: z.string() }),
  run: async ({ content, url }, { client }) => {
    const file = content ?? (await download(new URL(url as string))).toString("base64");
    const data = await client.post<{ _url?: string }>("uploads?convert=mms", {
      content: file.replace(/\s/g, ""),
    });
    if (!data?._url) throw new Error("ClickSend answered the upload without a URL (_url).");
    return {
      media_file: data._url,
      note: "Pass media_file to preview_mms and send_mms soon: ClickSend keeps uploads for 10 minutes.",
    };
  },
});
