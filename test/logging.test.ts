import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogLevel, maskPhoneNumbers, withRequestSink } from "../src/logger.js";
import { logSend } from "../src/sending/log.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { sleep, until } from "./support/wait.js";

describe("log notifications over stdio", () => {
  let client: Client;
  let server: StdioServer;
  const logs: Array<{ level: string; logger?: string | undefined; data: unknown }> = [];

  beforeAll(async () => {
    server = await startServer(["--sandbox"]);
    client = await server.connect();
    client.setNotificationHandler("notifications/message", (n) => {
      logs.push(n.params);
    });
  });
  afterAll(() => client?.close());

  // A call's notifications come on stdout before its result: when the result is in, so are they
  // (and none can come later to make an absence false). stderr is a pipe of its own, waited for.
  it("sends a tool failure as a warning, by default and on stderr too", async () => {
    logs.length = 0;
    const result = (await client.callTool({
      name: "get_account",
      arguments: { bogus: 1 },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(logs).toEqual([
      {
        level: "warning",
        logger: "clicksend-mcp",
        data: expect.stringMatching(/^get_account failed: .*bogus/),
      },
    ]);
    await until("the warning on stderr", () => /warning: get_account failed: /.test(server.stderr));
  });

  it("honours logging/setLevel: nothing below it, and the shared client's debug lines at debug", async () => {
    await client.setLoggingLevel("error");
    logs.length = 0;
    await client.callTool({ name: "get_account", arguments: { bogus: 1 } });
    expect(logs).toEqual([]);

    await client.setLoggingLevel("debug");
    await client.callTool({ name: "get_account", arguments: {} });
    // Logged by the ky client, which is shared by every request, yet routed to this call.
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "debug",
        data: expect.stringMatching(/^GET \/account -> 200/),
      }),
    );
    await client.setLoggingLevel("info");
  });
});

describe("the logger", () => {
  function capture(minLevel: LogLevel = "error") {
    const lines: Array<[string, string]> = [];
    const logger = createLogger(minLevel, [(level, message) => lines.push([level, message])]);
    return { logger, lines };
  }

  it("routes messages to the request's sink only inside withRequestSink", async () => {
    const { logger } = capture();
    const routed: string[] = [];
    logger.info("before");
    await withRequestSink(
      (_level, message) => routed.push(message),
      async () => {
        await sleep(1);
        logger.info("inside, after an await");
      },
    );
    logger.info("after");
    expect(routed).toEqual(["inside, after an await"]);
  });

  it("masks phone numbers to their last 3 digits, and leaves ids, prices and dates alone", () => {
    const cases: Array<[string, string]> = [
      ["to +61411111111 failed", "to ***111 failed"],
      ["+61 411 111 111 and (02) 9999 9999", "***111 and ***999"],
      ["+1-555-123-4567", "***567"],
      ["0411111111,0411222333", "***111,***333"],
      ["id BF7AD270-0DE2-418B-B606-71D527D9C1AE", "id BF7AD270-0DE2-418B-B606-71D527D9C1AE"],
      ["id 12345678-1234-5678-1234-567812345678", "id 12345678-1234-5678-1234-567812345678"],
      ["total price 0.0770 AUD on 2026-11-27", "total price 0.0770 AUD on 2026-11-27"],
      [
        "GET /lists/12345678/contacts -> 200 in 15 ms",
        "GET /lists/12345678/contacts -> 200 in 15 ms",
      ],
      ["http://127.0.0.1:40123/v3", "http://127.0.0.1:40123/v3"],
      ["host 192.168.100.200 up", "host 192.168.100.200 up"],
      ["version 1.13.16", "version 1.13.16"],
      // However a number is written: dots, full-width digits, a zero-width space, a sentence end.
      ["call 0411.111.111 now", "call ***111 now"],
      ["＋６１ ４１１ １１１ １１１", "***111"],
      ["+61 411\u200b111 111", "***111"],
      ["sent to +61411111111.", "sent to ***111."],
      ["٠٤١١١١١١١١", "***١١١"],
    ];
    for (const [input, masked] of cases) expect(maskPhoneNumbers(input), input).toBe(masked);
  });

  it("masks numbers in every message, whoever logs them", () => {
    const { logger, lines } = capture();
    logger.warn("send_sms failed: +61411111111 is not a valid number");
    expect(lines).toEqual([["warning", "send_sms failed: ***111 is not a valid number"]]);
  });

  it("logs a send with counts, price and message ids only", () => {
    const { logger, lines } = capture();
    logSend(logger, {
      tool: "send_sms",
      queued: 2,
      failed: 1,
      total_price: 0.154,
      currency: "AUD",
      message_ids: ["BF7AD270-0DE2-418B-B606-71D527D9C1AE", "C1AE0DE2-418B-B606-71D5-27D9BF7AD270"],
      sandbox: true,
    });
    expect(lines).toEqual([
      [
        "info",
        "send_sms (sandbox, nothing sent): 2 queued, 1 failed, total price 0.154 AUD; message ids BF7AD270-0DE2-418B-B606-71D527D9C1AE, C1AE0DE2-418B-B606-71D5-27D9BF7AD270",
      ],
    ]);
  });

  it("caps the ids it lists", () => {
    const { logger, lines } = capture();
    const ids = Array.from({ length: 25 }, (_, i) => `ID-${i}`);
    logSend(logger, { tool: "send_voice", queued: 25, failed: 0, message_ids: ids });
    expect(lines[0]?.[1]).toBe(
      `send_voice: 25 queued, 0 failed; message ids ${ids.slice(0, 10).join(", ")} and 15 more`,
    );
  });
});
