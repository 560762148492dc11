import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { now } from "../sandbox/state.js";
import { sendSms } from "../tools/sms.js";
import { getSmsStatistics } from "../tools/statistics.js";
import { answerWith, type Harness, harness } from "./support/harness.js";
import { rawCall } from "./support/raw.js";
import { refused, succeeded } from "./support/results.js";
import { addSms } from "./support/tool-args.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const DAY = 86_400;
const dayOf = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

describe("get_sms_statistics", () => {
  it("gives totals and the days with messages, computed from what the account sent", async () => {
    const today = now();
    const send = await h.call(sendSms, {
      messages: [
        { to: "+61400123456", body: "one part" },
        { to: "+61400123457", body: "x".repeat(200) },
        { to: "+61411111111", body: "test number, free" },
        { to: "+61491570156", body: "Confirm for 10am?" },
      ],
    });
    expect(send.isError).toBeFalsy();
    addSms(h.sandbox.state, { to: "+61400123458", body: "bounced", status_code: "301" });
    addSms(h.sandbox.state, { to: "+61400123459", body: "old", date: today - 3 * DAY });

    const { data, request } = await succeeded(h, getSmsStatistics, {});
    expect(request).toMatchObject({ method: "GET", path: "statistics/sms", query: {} });
    expect(data).toEqual({
      currency: "AUD",
      total: {
        outbound: { count: 5, price: 0.396 },
        inbound: { count: 1, price: 0 },
        bounced: { count: 1, price: 0.0792 },
      },
      days: [
        { date: dayOf(today - 3 * DAY), outbound: 1, outbound_price: 0.0792 },
        {
          date: dayOf(today),
          outbound: 4,
          outbound_price: 0.3168,
          inbound: 1,
          bounced: 1,
          bounced_price: 0.0792,
        },
      ],
    });
  });

  it("keeps a date ClickSend gives as text", async () => {
    answerWith(h, "statistics/sms", {
      stats: [{ date: "2026-12-01", inbound: { count: "2", price: "0" } }],
    });
    const { data } = await succeeded(h, getSmsStatistics, {});
    expect(data).toEqual({
      total: {
        outbound: { count: 0, price: 0 },
        inbound: { count: 0, price: 0 },
        bounced: { count: 0, price: 0 },
      },
      days: [{ date: "2026-12-01", inbound: 2 }],
    });
  });

  it("reads the currency under ClickSend's name, _currency, as the sandbox answers it", async () => {
    const { body } = await rawCall(h.sandbox, "GET", "statistics/sms");
    expect(body.data).toHaveProperty("_currency.currency_name_short", "AUD");
    expect(body.data).not.toHaveProperty("currency");
    answerWith(h, "statistics/sms", { _currency: { currency_name_short: "NZD" } });
    const { data } = await succeeded(h, getSmsStatistics, {});
    expect(data).toMatchObject({ currency: "NZD" });
  });

  it("refuses arguments it does not take without a request", async () => {
    await refused(h, getSmsStatistics, { days: 7 }, "unknown field days");
  });
});
