/**
 * Opt-outs through the built server, as hosts reach it: over stdio and over Streamable HTTP, in
 * sandbox mode. A number on the account's Opt Out list typed in `to` is refused; a reply of STOP
 * is marked, and the next send to its sender is refused before ClickSend's rule moves it.
 */
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STOP_REPLY_NUMBER } from "../sandbox/replies.js";
import { connectHttp, type HttpServer, startHttpServer } from "./support/http.js";
import { contentText } from "./support/results.js";
import { type StdioServer, startServer } from "./support/stdio.js";

/** On the sandbox's Opt Out list (sandbox/state.ts). */
const ON_OPT_OUT_LIST = "+61400555123";

const transports: Array<{
  name: string;
  start(): Promise<{ client: Client; stop(): Promise<unknown> }>;
}> = [
  {
    name: "stdio",
    start: async () => {
      const server: StdioServer = await startServer(["--sandbox"]);
      const client = await server.connect("opt-outs-e2e");
      return { client, stop: () => client.close() };
    },
  },
  {
    name: "Streamable HTTP",
    start: async () => {
      const server: HttpServer = await startHttpServer();
      const client = await connectHttp(server.url, {});
      return {
        client,
        stop: async () => {
          await client.close();
          await server.stop();
        },
      };
    },
  },
];

for (const transport of transports) {
  describe(`over ${transport.name}`, () => {
    let client: Client;
    let stop: () => Promise<unknown>;
    beforeAll(async () => {
      ({ client, stop } = await transport.start());
    });
    afterAll(() => stop?.());

    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const sms = (to: string, body: string) => ({ messages: [{ to, body }] });

    it("refuses a send to a to number on the opt-out list, and the preview says why", async () => {
      const preview = await call("preview_sms", {
        messages: [
          { to: ON_OPT_OUT_LIST, body: "Sale" },
          { to: "+61411111111", body: "Sale" },
        ],
      });
      expect(preview.structuredContent).toMatchObject({ recipients: 1, opted_out_left_out: 1 });
      const sent = await call("send_sms", sms(ON_OPT_OUT_LIST, "Sale"));
      expect(sent.isError).toBe(true);
      expect(contentText(sent)).toMatch(
        /Refused by CLICKSEND_SKIP_OPTED_OUT: every recipient opted out \(\*\*\*123 is on the opt-out list/,
      );
      expect(contentText(sent)).toContain("Nothing was sent.");
    });

    it("marks a STOP reply, and refuses the next send to its sender", async () => {
      expect(
        (await call("send_sms", sms(STOP_REPLY_NUMBER, "Your booking is at 10"))).isError,
      ).toBeFalsy();
      const replies = await call("list_inbound_sms", { limit: 100 });
      const items = (replies.structuredContent as { items: Array<Record<string, unknown>> }).items;
      expect(items.find((i) => i.from === STOP_REPLY_NUMBER)).toMatchObject({
        body: "«STOP»",
        opt_out: true,
        note: expect.stringContaining("asked not to be contacted"),
      });
      const again = await call("send_sms", sms(STOP_REPLY_NUMBER, "Reminder: 10am"));
      expect(again.isError).toBe(true);
      expect(contentText(again)).toMatch(
        /Refused by CLICKSEND_SKIP_OPTED_OUT: every recipient opted out \(\*\*\*737 replied an opt-out keyword\)/,
      );
    });
  });
}
