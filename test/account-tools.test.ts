import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount, listCountries } from "../tools/account.js";
import { type Harness, harness, lastRequest } from "./support/harness.js";
import { dataOf, refused, textOf } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe("get_account", () => {
  it("returns the balance and currency, and never the subaccount API key", async () => {
    const result = await h.call(getAccount);
    expect(result.isError).toBeFalsy();
    expect(dataOf(result)).toMatchObject({
      username: "sandbox",
      balance: 25,
      currency: "AUD",
      sms_part_limit: 6,
    });
    expect(textOf(result)).not.toContain("api_key");
    expect(textOf(result)).not.toContain("F3702045");
    expect(lastRequest(h)).toMatchObject({
      method: "GET",
      path: "account",
      user: "sandbox",
    });
  });

  it("reports rejected credentials with what to check", async () => {
    h.sandbox.faults.inject({ path: "account", fault: { type: "status", status: 401 } });
    const result = await h.call(getAccount);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("CLICKSEND_API_KEY");
  });

  it("refuses unknown arguments without a request", async () => {
    await refused(h, getAccount, { verbose: true }, "unknown field verbose");
  });
});

describe("list_countries", () => {
  it("filters locally and maps codes to names", async () => {
    const result = await h.call(listCountries, { q: "united king" });
    expect(dataOf(result)).toEqual({ total: 1, countries: { GB: "United Kingdom" } });
  });

  it("lists about 250 countries without credentials being required", async () => {
    const all = dataOf<{ total: number }>(await h.call(listCountries));
    expect(all.total).toBeGreaterThan(230);
  });
});
