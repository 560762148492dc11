/**
 * The shipped bundle serves tools/list from the listing computed at build time
 * (scripts/build-bin.ts, src/startup/listing.ts). It must be exactly what the server derives live from
 * the registry, for the whole catalogue and after the operator's filters.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Client, Tool } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClickSendClient } from "../src/client/client.js";
import {
  createServer,
  type ServerOptions,
  selectTools,
  toolListing,
} from "../src/protocol/server.js";
import { defaultToolsets, tools } from "../tools/index.js";
import { ensureBuilt } from "./support/build.js";
import { connectInProcess } from "./support/harness.js";
import { startServer } from "./support/stdio.js";

/** The listing as the live server computes it, as plain JSON. */
const live = (options: ServerOptions = {}) =>
  JSON.parse(JSON.stringify(selectTools(tools, options).map(toolListing))) as Tool[];

/** tools/list of the built bundle started with args, over raw JSON-RPC. */
async function bundledListing(args: string[], env: Record<string, string>): Promise<Tool[]> {
  const server = await startServer(args, env);
  try {
    await server.initialize();
    const listed = await server.request("tools/list");
    expect(listed.error, server.stderr).toBeUndefined();
    return listed.result?.tools as Tool[];
  } finally {
    await server.close();
  }
}

const CREDENTIALS = { CLICKSEND_USERNAME: "listing", CLICKSEND_API_KEY: "LISTING-TEST-KEY" };

describe("the bundle's prebuilt tools/list", () => {
  it("replaces src/startup/listing.ts in the bundle", async () => {
    const cli = await ensureBuilt();
    const chunks = join(dirname(cli), "chunks");
    const bundle = [cli, ...readdirSync(chunks).map((file) => join(chunks, file))]
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    expect(bundle).toMatch(/new Map\(JSON\.parse\(["`]\[\{\\?"name\\?":\\?"get_account/);
  });

  it("equals the listing derived live from the registry, for the default toolsets and all", async () => {
    expect(await bundledListing([], CREDENTIALS)).toEqual(live({ toolsets: defaultToolsets }));
    expect(await bundledListing(["--toolsets", "all"], CREDENTIALS)).toEqual(live());
  });

  it("equals it after --read-only and --toolsets too", async () => {
    expect(await bundledListing(["--read-only"], CREDENTIALS)).toEqual(
      live({ readOnly: true, toolsets: defaultToolsets }),
    );
    expect(await bundledListing(["--sandbox", "--toolsets", "contacts,lists"], {})).toEqual(
      live({ toolsets: ["contacts", "lists"] }),
    );
  });
});

describe("createServer with a listing", () => {
  let client: Client;
  const get = tools.find((tool) => tool.name === "get_account");
  const prebuilt: Tool = {
    name: "get_account",
    description: "from the build",
    inputSchema: { type: "object" },
  };

  beforeAll(async () => {
    client = await connectInProcess(
      createServer({
        client: createClickSendClient({
          baseUrl: "https://rest.clicksend.com/v3",
          auth: { kind: "none" },
          timeoutMs: 1000,
        }),
        tools: get ? [get, ...tools.filter((tool) => tool !== get)] : tools,
        listing: new Map([["get_account", prebuilt]]),
      }),
    );
  });
  afterAll(() => client?.close());

  it("serves the given entries and computes the rest", async () => {
    const { tools: listed } = await client.listTools();
    expect(listed[0]).toEqual(prebuilt);
    expect(listed.slice(1)).toEqual(live().filter((tool) => tool.name !== "get_account"));
  });
});
