import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMmsHistory, previewMms, sendMms, uploadMedia } from "../tools/mms.js";
import { balanceOf, type Harness, harness, lastRequest } from "./support/harness.js";
import { dataOf, refused, textOf } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const media_file = "https://example.com/promo.gif";
const message = { to: "+61400555111", subject: "Promo", body: "20% off this week" };

describe("send_mms", () => {
  it("sends one media file with every message, charged per MMS", async () => {
    const before = balanceOf(h);
    const result = await h.call(sendMms, {
      media_file,
      messages: [message, { to: "+61411111111", subject: "Test", body: "Free test" }],
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest(h)).toMatchObject({
      method: "POST",
      path: "mms/send",
      body: {
        media_file,
        messages: [
          { ...message, source: "clicksend-mcp", custom_string: expect.stringMatching(/^mcp-/) },
          {
            to: "+61411111111",
            subject: "Test",
            body: "Free test",
            source: "clicksend-mcp",
            custom_string: expect.stringMatching(/^mcp-/),
          },
        ],
      },
    });
    expect(dataOf(result)).toEqual({
      queued_count: 2,
      failed_count: 0,
      total_price: 2.42,
      currency: "AUD",
      tag: expect.stringMatching(/^mcp-[0-9a-f]{8}$/),
      audit: expect.stringMatching(/^clicksend:\/\/sends\/\d{4}-\d{2}-\d{2}$/),
      queued: [
        {
          to: message.to,
          status: "SUCCESS",
          message_id: expect.any(String),
          parts: 1,
          price: 2.42,
        },
        {
          to: "+61411111111",
          status: "SUCCESS",
          message_id: expect.any(String),
          parts: 1,
          price: 0,
        },
      ],
    });
    expect(textOf(result)).not.toContain("20% off");
    expect(balanceOf(h)).toBeCloseTo(before - 2.42, 6);
  });

  it("lists the failed message first when a country is not enabled", async () => {
    const result = await h.call(sendMms, {
      media_file,
      messages: [message, { ...message, to: "+380502762716" }],
    });
    expect(result.isError).toBeFalsy();
    const data = dataOf<Record<string, unknown>>(result);
    expect(Object.keys(data)).toEqual([
      "queued_count",
      "failed_count",
      "total_price",
      "currency",
      "failures",
      "queued",
      "tag",
      "audit",
    ]);
    expect(data.failures).toEqual([
      expect.objectContaining({ to: "+380502762716", status: "COUNTRY_NOT_ENABLED" }),
    ]);
  });

  it("is an error when ClickSend refuses the media file for every message", async () => {
    const result = await h.call(sendMms, {
      media_file: "https://example.com/photo.png",
      messages: [message],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Nothing was sent");
    expect(dataOf(result)).toMatchObject({
      failures: [{ status: "INVALID_MEDIA_FILE", reason: expect.stringContaining(".jpg or .gif") }],
    });
  });

  it.each([
    ["a missing media_file", { messages: [message] }, "media_file"],
    [
      "a media_file that is not a URL",
      { media_file: "promo.gif", messages: [message] },
      "media_file",
    ],
    [
      "an ftp media_file",
      { media_file: "ftp://example.com/a.gif", messages: [message] },
      "media_file: must be an http(s) URL",
    ],
    [
      "a missing subject",
      { media_file, messages: [{ to: message.to, body: "x" }] },
      "messages[0].subject",
    ],
    [
      "a 21-character subject",
      { media_file, messages: [{ ...message, subject: "x".repeat(21) }] },
      "messages[0].subject",
    ],
    [
      "an alpha sender",
      { media_file, messages: [{ ...message, from: "MyShop" }] },
      "messages[0].from",
    ],
    [
      "both to and list_id",
      { media_file, messages: [{ ...message, list_id: 3 }] },
      "messages[0].list_id",
    ],
  ])("refuses %s without a request", async (_what, args, fragment) => {
    await refused(h, sendMms, args, fragment);
  });
});

describe("list_mms_history", () => {
  it("shows a sent MMS with its subject and media file", async () => {
    const result = await h.call(listMmsHistory, {
      q: `to:${message.to}`,
      order_by: "date_added:desc",
      include_body: true,
    });
    expect(lastRequest(h)).toMatchObject({
      method: "GET",
      path: "mms/history",
      query: { q: `to:${message.to}`, order_by: "date_added:desc" },
    });
    const items = dataOf<{ items: Array<Record<string, unknown>> }>(result).items;
    expect(items).toHaveLength(2);
    expect(items[0]).toEqual({
      message_id: expect.any(String),
      date: expect.stringMatching(/Z$/),
      to: message.to,
      from: "+61447254068",
      subject: "Promo",
      body: "«20% off this week»",
      status: "Sent",
      status_code: 201,
      parts: 1,
      price: 2.42,
      custom_string: expect.stringMatching(/^mcp-/),
      media_file,
    });
  });

  it("refuses a page below 1 without a request", async () => {
    await refused(h, listMmsHistory, { page: 0 }, "page");
  });
});

/** A 1x1 PNG: an image ClickSend converts but does not send as it is. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("upload_media and preview_mms", () => {
  it("warns of a .png media file, naming upload_media; ClickSend fails it per message", async () => {
    const png = "https://example.com/promo.png";
    const preview = dataOf<{ warnings?: string[] }>(
      await h.call(previewMms, { media_file: png, messages: [message] }),
    );
    expect(preview.warnings?.join(" ")).toContain("upload_media");
    const sent = await h.call(sendMms, { media_file: png, messages: [message] });
    expect(sent.isError).toBe(true);
    expect(textOf(sent)).toContain("INVALID_MEDIA_FILE");
  });

  it("converts a base64 image with POST uploads?convert=mms, and MMS then send it", async () => {
    const result = await h.call(uploadMedia, { content: PNG });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(lastRequest(h)).toMatchObject({
      method: "POST",
      path: "uploads",
      query: { convert: "mms" },
      body: { content: PNG },
    });
    const { media_file: hosted } = dataOf<{ media_file: string }>(result);
    expect(hosted).toMatch(/^https:\/\/.+\.jpg$/);
    const preview = dataOf<{ warnings?: string[] }>(
      await h.call(previewMms, { media_file: hosted, messages: [message] }),
    );
    expect(preview.warnings ?? []).toEqual([]);
    const sent = await h.call(sendMms, { media_file: hosted, messages: [message] });
    expect(sent.isError, textOf(sent)).toBeFalsy();
  });

  it("passes on ClickSend's refusal of a file that is no image", async () => {
    const result = await h.call(uploadMedia, { content: Buffer.from("hello").toString("base64") });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Unsupported file type");
  });

  it.each([
    ["neither content nor url", {}, "content"],
    ["both", { content: PNG, url: "https://example.com/a.png" }, "url"],
    ["content that is not base64", { content: "not base64!" }, "content"],
    ["an address inside the network", { url: "http://127.0.0.1:9/a.png" }, "url"],
  ])("refuses %s without a request to ClickSend", async (_what, args, field) => {
    await refused(h, uploadMedia, args, field);
  });
});
