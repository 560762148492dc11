import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSenderIds } from "../tools/senders.js";
import { answerWith, type Harness, harness } from "./support/harness.js";
import { rawCall } from "./support/raw.js";
import { failed, refused, succeeded } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const since = (h: Harness, before: number) => h.sandbox.requests.slice(before);

describe("list_sender_ids", () => {
  it("meets ClickSend's underscored names in the sandbox's answers (_country_name, _metadata)", async () => {
    const numbers = await rawCall(h.sandbox, "GET", "numbers");
    const [first] = (numbers.body.data as { data: Array<Record<string, unknown>> }).data;
    expect(first).toHaveProperty("_country_name", "Australia");
    expect(first).not.toHaveProperty("country_name");
    for (const path of ["own-numbers", "alpha-tags"]) {
      const { body } = await rawCall(h.sandbox, "GET", path);
      expect(body).toHaveProperty("_metadata.pagination.page_size");
      expect(body).not.toHaveProperty("metadata");
    }
  });

  it("reads numbers, alpha tags and own numbers, and answers which from values work where", async () => {
    const before = h.sandbox.requests.length;
    const { data, text } = await succeeded(h, listSenderIds, {});
    const requests = since(h, before).map(({ method, path, query }) => ({ method, path, query }));
    expect(requests).toHaveLength(3);
    expect(requests).toEqual(
      expect.arrayContaining([
        { method: "GET", path: "numbers", query: { limit: "100" } },
        { method: "GET", path: "alpha-tags", query: { page_size: "500" } },
        { method: "GET", path: "own-numbers", query: { page_size: "500" } },
      ]),
    );
    expect(data).toEqual({
      senders: [
        {
          from: "+61485900112",
          type: "dedicated number",
          country: "AU",
          replies: true,
          usable: true,
          status: "REGISTERED",
        },
        {
          from: "+18335550199",
          type: "dedicated number",
          country: "US",
          replies: true,
          usable: false,
          status: "IN_PROGRESS",
        },
        {
          from: "Sandbox",
          type: "alpha tag",
          countries: "any but US, CA",
          replies: false,
          usable: true,
          status: "APPROVED",
        },
        {
          from: "SandboxAU",
          type: "alpha tag",
          countries: ["AU"],
          replies: false,
          usable: true,
          status: "APPROVED",
        },
        {
          from: "MyShop",
          type: "alpha tag",
          countries: "any but US, CA",
          replies: false,
          usable: false,
          status: "PENDING",
        },
        {
          from: "+61400999888",
          type: "own number",
          country: "AU",
          replies: false,
          usable: true,
          status: "APPROVED",
        },
      ],
      shared:
        "Omit from to send from a shared number: not in the US and Canada; replies come back to the account.",
    });
    for (const noise of ["number_guid", "account_id", "created_timestamp", "price"]) {
      expect(text).not.toContain(noise);
    }
  });

  it("reads an alpha-tags answer in ClickSend's envelope too", async () => {
    answerWith(h, "alpha-tags", {
      alpha_tags: [{ alpha_tag: "Wrapped", status: "APPROVED", countries: null }],
    });
    const { data } = await succeeded<{ senders: Array<{ from: string }> }>(h, listSenderIds, {});
    expect(data.senders.map((s) => s.from)).toContain("Wrapped");
  });

  it("fails as a whole, naming the request, when one of the three fails", async () => {
    h.sandbox.faults.inject({
      path: "own-numbers",
      fault: { type: "status", status: 403, body: { message: "Forbidden" } },
    });
    const { text } = await failed(h, listSenderIds, {});
    expect(text).toContain("ClickSend refused GET /own-numbers (HTTP 403 HTTP_403: Forbidden)");
  });

  it("refuses arguments it does not take without a request", async () => {
    await refused(h, listSenderIds, { country: "AU" }, "unknown field country");
  });
});
