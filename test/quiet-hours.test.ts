/**
 * Quiet hours (CLICKSEND_QUIET_HOURS) through the send pipeline: refused or scheduled in each
 * recipient's local time, across a DST change, for numbers with several zones, list members and
 * scheduled sends; in process with an injected clock, and over stdio and HTTP on the built server.
 */
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSendingConfig } from "../src/sending/policy.js";
import { localTime, parseQuietWindow, type QuietWindow } from "../src/sending/quiet-window.js";
import { zonesOfNumber } from "../src/sending/time-zones.js";
import { memoryEngine } from "../src/state/memory.js";
import { SendStore } from "../src/state/store.js";
import { isoMs } from "../src/values.js";
import { previewSms, sendSms } from "../tools/sms.js";
import type { Harness } from "./support/harness.js";
import { connectHttp, type HttpServer, startHttpServer } from "./support/http.js";
import { harnessPerTest } from "./support/per-test.js";
import { dataOf, refusedAfterReads, succeeded, textOf } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";

// biome-ignore lint/suspicious/noExplicitAny: results are read loosely in assertions.
type Loose = Record<string, any>;

const window = parseQuietWindow("21:00-08:00") as QuietWindow;
const SYDNEY = "+61411111111";
/** Perth and Adelaide: libphonenumber gives this range both. */
const WESTERN = "+61892251234";

const setup = harnessPerTest();
let now = 0;
/** A harness whose send store (the pipeline's clock) reads `now`. */
const at = (ms: number, action: "refuse" | "schedule" = "refuse") => {
  now = ms;
  return setup({ quietHours: { window, action } }, new SendStore(memoryEngine(), () => now));
};

const sms = (to: string, extra: Loose = {}) => ({ messages: [{ to, body: "Hi", ...extra }] });
const postedMessages = (h: Harness) =>
  ((h.sandbox.requests.filter((r) => r.path === "sms/send").at(-1)?.body as Loose)?.messages ??
    []) as Loose[];

/**
 * The first whole hour at least a day after the real clock at which Sydney reads `hour`:00, so
 * a send scheduled then passes the schedule field's checks whatever the time of the run.
 */
function nextSydneyHour(hour: number): number {
  let ms = Math.ceil((Date.now() + 86_400_000) / 3_600_000) * 3_600_000;
  while (localTime("Australia/Sydney", ms).minute !== hour * 60) ms += 3_600_000;
  return ms;
}

describe("quiet hours, refuse", () => {
  it("refuses a send at 03:12 in the recipient's zone, naming rule, number, zone, time and when", async () => {
    // 2026-07-01T17:12Z is 03:12 AEST.
    const h = await at(Date.UTC(2026, 6, 1, 17, 12));
    for (const tool of [sendSms, previewSms]) {
      await refusedAfterReads(
        h,
        tool,
        sms(SYDNEY),
        "Refused by CLICKSEND_QUIET_HOURS (21:00-08:00 in each recipient's local time): ***111 is at 03:12 in Australia/Sydney now",
        "2026-07-01T22:00:00Z (08:00 in Australia/Sydney)",
      );
    }
  });

  it("lets a send outside quiet hours go now, unscheduled", async () => {
    const h = await at(Date.UTC(2026, 6, 1, 2, 0)); // 12:00 in Sydney
    const { data } = await succeeded<Loose>(h, sendSms, sms(SYDNEY));
    expect(data.queued_count).toBe(1);
    expect(data).not.toHaveProperty("scheduled_for_quiet_hours");
    expect(postedMessages(h)[0]).not.toHaveProperty("schedule");
  });

  it("refuses a number with several zones while any of them is quiet", async () => {
    expect(zonesOfNumber(WESTERN)).toEqual(["Australia/Adelaide", "Australia/Perth"]);
    // 2026-01-15T23:45Z: 07:45 in Perth (quiet), 10:15 in Adelaide (allowed).
    const h = await at(Date.UTC(2026, 0, 15, 23, 45));
    await refusedAfterReads(
      h,
      sendSms,
      sms(WESTERN),
      "***234 is at 07:45 in Australia/Perth now",
      "2026-01-16T00:00:00Z (08:00 in Australia/Perth)",
    );
    now = Date.UTC(2026, 0, 16, 0, 0);
    await succeeded(h, sendSms, sms(WESTERN));
  });

  it("checks a scheduled send at its scheduled time, not now", async () => {
    const night = nextSydneyHour(3);
    const h = await at(Date.UTC(2026, 6, 1, 2, 0)); // now is noon in Sydney
    const text = await refusedAfterReads(
      h,
      sendSms,
      sms(SYDNEY, { schedule: night / 1000 }),
      `***111 is at 03:00 in Australia/Sydney at its schedule, ${isoMs(night)}`,
    );
    expect(text).toContain("(08:00 in Australia/Sydney)");
  });

  it("checks list members like numbers: the list is read, nothing is sent", async () => {
    const h = await at(Date.UTC(2026, 6, 1, 17, 12));
    const list = h.sandbox.state.lists.find((l) => l.list_name === "Newsletter")?.list_id;
    const before = h.sandbox.requests.length;
    const result = await h.call(sendSms, { messages: [{ list_id: list, body: "Hi" }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /Refused by CLICKSEND_QUIET_HOURS .*: \*\*\*12\d is at 03:12 in Australia\/Sydney now/,
    );
    expect(h.sandbox.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  });
});

describe("quiet hours, schedule", () => {
  it("schedules for 08:00 local after a DST change, in the preview and the result", async () => {
    // 22:00 AEST on 3 October 2026; Sydney moves to AEDT (UTC+11) at 02:00.
    const h = await at(Date.UTC(2026, 9, 3, 12, 0), "schedule");
    const morning = Date.UTC(2026, 9, 3, 21, 0);
    const expected = `${isoMs(morning)} (08:00 in Australia/Sydney): ***111 is at 22:00 in Australia/Sydney now`;
    const preview = dataOf<Loose>(await h.call(previewSms, sms(SYDNEY)));
    expect(preview.scheduled_for_quiet_hours).toContain(expected);
    const { data } = await succeeded<Loose>(h, sendSms, sms(SYDNEY));
    expect(data.scheduled_for_quiet_hours).toContain(expected);
    expect(postedMessages(h)).toEqual([expect.objectContaining({ schedule: morning / 1000 })]);
  });

  it("schedules a number with several zones for the first minute allowed in all", async () => {
    // 2026-01-15T20:00Z: 04:00 in Perth, 06:30 in Adelaide; Perth reaches 08:00 last.
    const h = await at(Date.UTC(2026, 0, 15, 20, 0), "schedule");
    await succeeded(h, sendSms, sms(WESTERN));
    expect(postedMessages(h)[0]?.schedule).toBe(Date.UTC(2026, 0, 16, 0, 0) / 1000);
  });

  it("moves a scheduled send forward from its own time", async () => {
    const night = nextSydneyHour(3);
    const h = await at(Date.UTC(2026, 6, 1, 2, 0), "schedule");
    const { data } = await succeeded<Loose>(h, sendSms, sms(SYDNEY, { schedule: night / 1000 }));
    const moved = postedMessages(h)[0]?.schedule as number;
    expect(localTime("Australia/Sydney", moved * 1000).minute).toBe(8 * 60);
    expect(moved * 1000 - night).toBeLessThanOrEqual(6 * 3_600_000);
    expect(data.scheduled_for_quiet_hours).toContain(`at its schedule, ${isoMs(night)}`);
  });

  it("sends a list as its members' numbers, each scheduled", async () => {
    const h = await at(Date.UTC(2026, 6, 1, 17, 12), "schedule");
    const list = h.sandbox.state.lists.find((l) => l.list_name === "Newsletter")?.list_id;
    const { data } = await succeeded<Loose>(h, sendSms, {
      messages: [{ list_id: list, body: "Hi" }],
    });
    expect(data.lists_expanded).toBeDefined();
    const posted = postedMessages(h);
    expect(posted.length).toBeGreaterThan(0);
    for (const message of posted) {
      expect(message).toMatchObject({ schedule: Date.UTC(2026, 6, 1, 22, 0) / 1000 });
      expect(message).not.toHaveProperty("list_id");
    }
  });

  it("refuses recipients whose zones leave no minute allowed in all of them", async () => {
    const h = await at(Date.UTC(2026, 6, 1, 17, 12), "schedule");
    await refusedAfterReads(
      h,
      sendSms,
      { messages: [SYDNEY, "+447777777777", "+14055555555"].map((to) => ({ to, body: "Hi" })) },
      "no minute in the 48 hours after is outside quiet hours for every recipient",
    );
  });
});

describe("quiet hours settings", () => {
  const parse = (flags: Array<[string, string]>, env: Record<string, string>) => {
    const problems: string[] = [];
    const config = parseSendingConfig(new Map(flags), env, problems);
    return { config, problems };
  };

  it("reads the window and action from variables, the flags winning", () => {
    expect(parse([], { CLICKSEND_QUIET_HOURS: "21:00-08:00" }).config.quietHours).toEqual({
      window: { start: 1260, end: 480 },
      action: "refuse",
    });
    const both = parse([["--quiet-hours-action", "schedule"]], {
      CLICKSEND_QUIET_HOURS: "22:30-07:00",
      CLICKSEND_QUIET_HOURS_ACTION: "refuse",
    });
    expect(both.config.quietHours).toEqual({
      window: { start: 1350, end: 420 },
      action: "schedule",
    });
    expect(parse([], {}).config).not.toHaveProperty("quietHours");
  });

  it("names the setting that is wrong", () => {
    expect(parse([], { CLICKSEND_QUIET_HOURS: "9pm-8am" }).problems).toEqual([
      expect.stringMatching(/^CLICKSEND_QUIET_HOURS must be a window of the day like 21:00-08:00/),
    ]);
    expect(parse([["--quiet-hours", "08:00-08:00"]], {}).problems).toEqual([
      expect.stringMatching(/^--quiet-hours must be a window/),
    ]);
    expect(
      parse([], { CLICKSEND_QUIET_HOURS: "21:00-08:00", CLICKSEND_QUIET_HOURS_ACTION: "delay" })
        .problems,
    ).toEqual(["CLICKSEND_QUIET_HOURS_ACTION must be refuse or schedule"]);
    expect(parse([], { CLICKSEND_QUIET_HOURS_ACTION: "schedule" }).problems).toEqual([
      "CLICKSEND_QUIET_HOURS_ACTION needs CLICKSEND_QUIET_HOURS",
    ]);
  });
});

const textIn = (result: CallToolResult) =>
  (result.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n");

describe("quiet hours over stdio", () => {
  let server: StdioServer;
  let client: Client;
  beforeAll(async () => {
    server = await startServer(["--sandbox", "--quiet-hours", "21:00-08:00"]);
    client = await server.connect("quiet-hours");
  });
  afterAll(() => client?.close());

  it("refuses a send scheduled for 03:00 in the recipient's zone", async () => {
    const night = nextSydneyHour(3);
    const result = (await client.callTool({
      name: "send_sms",
      arguments: sms(SYDNEY, { schedule: night / 1000 }),
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textIn(result)).toContain(
      `Refused by CLICKSEND_QUIET_HOURS (21:00-08:00 in each recipient's local time): ***111 is at 03:00 in Australia/Sydney at its schedule, ${isoMs(night)}`,
    );
    expect(textIn(result)).toMatch(/Nothing was sent\.$/);
  });
});

describe("quiet hours over HTTP", () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer(["--toolsets", "sms"], {
      CLICKSEND_QUIET_HOURS: "21:00-08:00",
      CLICKSEND_QUIET_HOURS_ACTION: "schedule",
    });
  });
  afterAll(() => server?.stop("SIGKILL"));

  it("schedules a send for 08:00 in the recipient's zone and says so", async () => {
    const client = await connectHttp(server.url, {});
    try {
      const night = nextSydneyHour(3);
      const result = (await client.callTool({
        name: "send_sms",
        arguments: sms(SYDNEY, { schedule: night / 1000 }),
      })) as CallToolResult;
      expect(result.isError, textIn(result)).toBeFalsy();
      const data = result.structuredContent as Loose;
      const [moved] = data.scheduled_for_quiet_hours.split(" ");
      expect(localTime("Australia/Sydney", Date.parse(moved)).minute).toBe(8 * 60);
      expect(data.scheduled_for_quiet_hours).toContain("(08:00 in Australia/Sydney)");
      expect(data.queued[0].schedule).toBe(moved);
    } finally {
      await client.close();
    }
  });
});
