/**
 * ToolContext.progress as src/protocol/server.ts implements it: notifications/progress for the call's
 * progressToken, only growing values, and nothing when the call asked for no progress.
 */

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import * as z from "zod";
import { createClickSendClient } from "../src/client/client.js";
import { createServer } from "../src/protocol/server.js";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "../tools/annotations.js";

/** Reports 1, 1 again, 0, 2 and 3: the repeat and the step back must not reach the host. */
const counting = defineTool({
  name: "get_count",
  toolset: "test",
  title: "Count",
  description: "Counts to three, reporting progress.",
  input: z.strictObject({}),
  annotations: READ,
  output: z.object({ counted: z.int() }),
  run: async (_args, { progress }) => {
    progress(1, 3, "one");
    progress(1, 3, "one again");
    progress(0, 3);
    progress(2, 3, "two");
    progress(3);
    return { counted: 3 };
  },
});

let client: Client;
let received: JSONRPCMessage[];

beforeEach(async () => {
  const server = createServer({
    client: createClickSendClient({
      baseUrl: "http://127.0.0.1:9/v3",
      auth: { kind: "none" },
      timeoutMs: 1000,
    }),
    tools: [counting],
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: "progress-test", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  received = [];
  const deliver = clientSide.onmessage;
  clientSide.onmessage = (message, extra) => {
    received.push(message);
    deliver?.(message, extra);
  };
});
afterEach(() => client.close());

const progressNotifications = () =>
  received.filter((m) => "method" in m && m.method === "notifications/progress");

it("sends each growing report for the call's progressToken, and drops the others", async () => {
  const seen: unknown[] = [];
  const result = await client.callTool(
    { name: "get_count", arguments: {} },
    {
      onprogress: (p) => seen.push(p),
    },
  );
  expect(result.structuredContent).toEqual({ counted: 3 });
  expect(seen).toEqual([
    { progress: 1, total: 3, message: "one" },
    { progress: 2, total: 3, message: "two" },
    { progress: 3 },
  ]);
  expect(progressNotifications()).toHaveLength(3);
});

it("sends none when the call carries no progressToken", async () => {
  const result = await client.callTool({ name: "get_count", arguments: {} });
  expect(result.structuredContent).toEqual({ counted: 3 });
  expect(progressNotifications()).toEqual([]);
});
