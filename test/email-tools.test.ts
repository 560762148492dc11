import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmailAddress, deleteEmailAddress, listEmailAddresses } from "../tools/email.js";
import { type Harness, harness } from "./support/harness.js";
import { failed, refused, succeeded } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe("list_email_addresses", () => {
  it("returns each address with a verified flag and no date noise", async () => {
    const { data, text, request } = await succeeded(h, listEmailAddresses, { page: 1, limit: 50 });
    expect(request).toMatchObject({
      method: "GET",
      path: "email/addresses",
      query: { page: "1", limit: "50" },
    });
    expect(data).toEqual({
      items: [
        {
          email_address_id: expect.any(Number),
          email_address: "alerts@example.com",
          verified: true,
        },
      ],
      page: 1,
      per_page: 50,
      total: 1,
      last_page: 1,
      has_more: false,
    });
    expect(text).not.toContain("date_added");
  });

  it("refuses a limit over 100 without a request", async () => {
    await refused(h, listEmailAddresses, { limit: 101 }, "limit");
  });
});

describe("create_email_address", () => {
  it("posts the address and returns it unverified", async () => {
    const { data, request } = await succeeded(h, createEmailAddress, {
      email_address: "billing@example.com",
    });
    expect(request).toMatchObject({
      method: "POST",
      path: "email/addresses",
      body: { email_address: "billing@example.com" },
    });
    expect(data).toEqual({
      email_address_id: expect.any(Number),
      email_address: "billing@example.com",
      verified: false,
    });
  });

  it("passes on ClickSend's refusal of a duplicate", async () => {
    const { text, request } = await failed(h, createEmailAddress, {
      email_address: "Alerts@example.com",
    });
    expect(request.status).toBe(400);
    expect(text).toContain("ALREADY_EXISTS: Email address already exists.");
    expect(text).toContain("Nothing was sent or changed.");
  });

  it("refuses an invalid or missing address without a request", async () => {
    await refused(
      h,
      createEmailAddress,
      { email_address: "billing" },
      "email_address: must be a valid email address",
    );
    await refused(h, createEmailAddress, {}, "email_address");
  });
});

describe("delete_email_address", () => {
  it("deletes by id and says what was deleted", async () => {
    const { data: created } = await succeeded<{ email_address_id: number }>(h, createEmailAddress, {
      email_address: "old@example.com",
    });
    const { data, request } = await succeeded(h, deleteEmailAddress, {
      email_address_id: created.email_address_id,
    });
    expect(request).toMatchObject({
      method: "DELETE",
      path: `email/addresses/${created.email_address_id}`,
    });
    expect(data).toEqual({ deleted: { email_address_id: created.email_address_id } });
    expect(
      h.sandbox.state.emailAddresses.some((a) => a.email_address_id === created.email_address_id),
    ).toBe(false);
  });

  it("answers an unknown id with 404 and where to find ids", async () => {
    const { text, request } = await failed(h, deleteEmailAddress, { email_address_id: 999 });
    expect(request.status).toBe(404);
    expect(text).toContain("Check the id. Find ids with list_email_addresses.");
  });

  it("refuses a bad id without a request", async () => {
    await refused(h, deleteEmailAddress, { email_address_id: 0 }, "email_address_id");
  });
});
