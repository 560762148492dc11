import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { createClickSendClient } from "../src/client/client.js";
import { ClickSendApiError } from "../src/errors.js";
import {
  continuation,
  estimateTokens,
  fitToBudget,
  RESULT_TOKENS,
} from "../src/protocol/result-budget.js";
import { callTool } from "../src/protocol/server.js";
import { createSendingPolicy } from "../src/sending/policy.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fence } from "../src/tool/untrusted.js";
import { fenceBreaks } from "./support/fences.js";
import { contextFor } from "./support/harness.js";
import { contentText, dataOf } from "./support/results.js";

type Data = Record<string, unknown> & { truncated?: Record<string, unknown> };

const row = (i: number) => ({ id: i, text: `${i} ${"lorem ipsum ".repeat(40)}` });
const pageOf = (page: number, perPage: number, count = perPage) => ({
  items: Array.from({ length: count }, (_, i) => row((page - 1) * perPage + i)),
  page,
  per_page: perPage,
  total: 1000,
  last_page: Math.ceil(1000 / perPage),
  has_more: true,
});

describe("continuation", () => {
  it("continues page 1 with the number that fit as the limit", () => {
    expect(continuation(1, 100, 37)).toEqual({ shown: 37, page: 2, limit: 37 });
  });

  it("lines a later page up exactly, with a limit of at least 15", () => {
    expect(continuation(2, 100, 37)).toEqual({ shown: 36, page: 5, limit: 34 });
    expect(continuation(2, 97, 20)).toEqual({ shown: 17, page: 7, limit: 19 });
  });

  it("always continues exactly: the next page starts at the first item not shown", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 15, max: 100 }),
        fc.integer({ min: 15, max: 100 }),
        (page, perPage, wanted) => {
          const fit = Math.min(wanted, perPage);
          const next = continuation(page, perPage, fit);
          expect(next.shown).toBeGreaterThanOrEqual(1);
          expect(next.shown).toBeLessThanOrEqual(fit);
          expect(next.limit).toBeGreaterThanOrEqual(15);
          expect((next.page - 1) * next.limit).toBe((page - 1) * perPage + next.shown);
        },
      ),
    );
  });
});

describe("fitToBudget", () => {
  it("leaves a result within budget as it is", () => {
    const data = pageOf(1, 15);
    expect(fitToBudget(data).value).toBe(data);
  });

  it("cuts a page to what fits and says which page and limit continue it", () => {
    const { value, text } = fitToBudget(pageOf(1, 100), 3000);
    const data = value as Data & { items: unknown[] };
    expect(estimateTokens(text)).toBeLessThanOrEqual(3000);
    expect(data.items.length).toBeGreaterThanOrEqual(15);
    expect(data.truncated).toMatchObject({
      shown: data.items.length,
      left_out: 100 - data.items.length,
      next: { page: 2, limit: data.items.length },
    });
    expect(data.has_more).toBe(true);
  });

  it("cuts the longest list of a result that is not a page and says so", () => {
    const send = {
      queued_count: 1000,
      tag: "mcp-1",
      queued: Array.from({ length: 1000 }, (_, i) => row(i)),
    };
    const { value, text } = fitToBudget(send, 3000);
    const data = value as Data & { queued: unknown[] };
    expect(estimateTokens(text)).toBeLessThanOrEqual(3000);
    expect(data).toMatchObject({ queued_count: 1000, tag: "mcp-1" });
    expect(data.truncated).toMatchObject({ field: "queued", shown: data.queued.length });
    expect(data.truncated?.left_out).toBe(1000 - data.queued.length);
  });

  it("shortens long texts when cutting items is not enough, keeping fences closed", () => {
    const data = {
      items: Array.from({ length: 15 }, (_, i) => ({ id: i, body: fence("x".repeat(1900), 2000) })),
      page: 1,
      per_page: 15,
    };
    const { value, text } = fitToBudget(data, 3000);
    expect(estimateTokens(text)).toBeLessThanOrEqual(3000);
    const fitted = value as Data & { items: Array<{ body: string }> };
    expect(fitted.items).toHaveLength(15);
    expect(fitted.items[0]?.body).toMatch(/^«x+»…\[\+[\d,]+ chars\]$/);
    expect(fitted.truncated?.strings_cut_to).toBeGreaterThan(0);
    expect(fenceBreaks(text)).toEqual([]);
  });

  it("counts text that tokenizes badly at a token a character", () => {
    const { text } = fitToBudget(
      { items: ["世界".repeat(3000), "x"], page: 1, per_page: 15 },
      2000,
    );
    expect(estimateTokens(text)).toBeLessThanOrEqual(2000);
    expect(estimateTokens("世界")).toBe(2);
    expect(estimateTokens("abcdefgh")).toBe(2);
  });

  it("says so when nothing can be shown within budget", () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const { value, text } = fitToBudget(wide, 500);
    expect(estimateTokens(text)).toBeLessThanOrEqual(500);
    expect((value as Data).truncated?.note).toMatch(/over the host's limit/);
  });
});

describe("every tool result is held to the budget", () => {
  const huge = defineTool({
    name: "list_everything",
    toolset: "test",
    title: "List everything",
    description: "A page far over any host's limit.",
    input: z.strictObject({}),
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    output: z.object({
      items: z.array(z.object({ id: z.int(), text: z.string() })),
      page: z.int(),
      per_page: z.int(),
      total: z.int(),
      last_page: z.int(),
      has_more: z.boolean(),
    }),
    run: async () => pageOf(1, 100),
  });

  const client = createClickSendClient({
    baseUrl: "http://127.0.0.1:9/v3",
    auth: { kind: "basic", username: "u", apiKey: "k" },
    timeoutMs: 1000,
  });

  it("renders at most RESULT_TOKENS, sandbox notice included, structured content alike", async () => {
    const result = await callTool(huge, {}, contextFor(client, createSendingPolicy()));
    expect(result.isError).toBeFalsy();
    expect(estimateTokens(contentText(result))).toBeLessThanOrEqual(RESULT_TOKENS);
    const data = dataOf<Data & { items: unknown[] }>(result);
    expect(data.items.length).toBeLessThan(100);
    expect(data.truncated?.next).toEqual({ page: 2, limit: data.items.length });
  });

  it("holds an error's text to the budget too, saying how much was cut", async () => {
    const upstream = new ClickSendApiError(
      { method: "GET", path: "sms/inbound" },
      400,
      "BAD_REQUEST",
      "x".repeat(2_000_000),
    );
    const failing = { ...huge, run: async () => Promise.reject(upstream) };
    const result = await callTool(failing, {}, contextFor(client, createSendingPolicy()));
    expect(result.isError).toBe(true);
    const text = contentText(result);
    expect(estimateTokens(text)).toBeLessThanOrEqual(RESULT_TOKENS);
    expect(text).toMatch(/…\[\+1,9\d\d,\d{3} chars\]/);
  });
});
