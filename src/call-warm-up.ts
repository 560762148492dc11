/**
 * A host's first tools/call runs code that nothing has run yet. The early answers
 * (early-answers.ts) mean the SDK has dispatched no request, our call path has shaped no result,
 * and zod has compiled none of the SDK's wire schemas. Measured on this machine, the first
 * get_account after a second of idle took 2.3-3.4x a warm one. After one call of another tool,
 * it took 1.3x.
 *
 * Once the server is idle, this runs one get_account of each protocol revision. The calls go
 * through the SDK's stdio serving and the tools/call path of a server built like the real one.
 * They travel on the SDK's in-memory transport, with a client that answers from memory. Nothing is sent to
 * ClickSend, nothing reaches stdout, and nothing is logged.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  InMemoryTransport,
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  type McpServerFactory,
  PROTOCOL_VERSION_META_KEY,
  type RequestId,
} from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { catalogue } from "../tools/index.js";
import type { ClickSendClient } from "./client.js";
import { prebuiltListing } from "./listing.js";
import { silentLogger } from "./logger.js";
import { createServer } from "./server.js";

/** The cheapest tool: no arguments, one GET, a small result. */
const WARM_UP_TOOL = "get_account";

const CLIENT = { name: "clicksend-mcp-warm-up", version: "0" };
const MODERN_REVISION = "2026-07-28";
const ACCOUNT = {
  user_id: 1,
  username: "warm-up",
  user_email: "warm-up@example.com",
  account_name: "Warm-up",
  balance: "0.0000",
  country: "AU",
  default_country_sms: "AU",
  timezone: "Australia/Sydney",
  _currency: { currency_name_short: "AUD" },
};

const refuse = () => Promise.reject(new Error("warm-up: only GET account is answered"));

/** Answers the warm-up tool's one GET from memory; anything else is refused. */
const inMemoryClient: ClickSendClient = {
  get: async <T>(path: string) => {
    if (path !== "account") throw new Error(`warm-up: no canned answer for GET ${path}`);
    return structuredClone(ACCOUNT) as T;
  },
  getPage: () => refuse(),
  post: () => refuse(),
  put: () => refuse(),
  delete: () => refuse(),
  warmUp: async () => {},
};

/** One connection of the SDK's stdio serving on an in-memory pair: `ask` sends a request. */
function inMemoryConnection(factory: McpServerFactory) {
  const [host, wire] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<RequestId, (message: JSONRPCMessage) => void>();
  host.onmessage = (message) => {
    if ("id" in message && !("method" in message) && message.id !== undefined) {
      waiting.get(message.id)?.(message);
    }
  };
  const connection = serveStdio(factory, { transport: wire });
  let nextId = 1;
  return {
    ask: (method: string, params: Record<string, unknown>) =>
      new Promise<JSONRPCMessage>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, resolve);
        host.send({ jsonrpc: "2.0", id, method, params }).catch(reject);
      }),
    close: () => connection.close(),
  };
}

async function callOnce(
  factory: McpServerFactory,
  meta: Record<string, unknown> | undefined,
): Promise<JSONRPCMessage> {
  const connection = inMemoryConnection(factory);
  try {
    if (!meta) {
      await connection.ask("initialize", {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: CLIENT,
      });
    }
    return await connection.ask("tools/call", {
      name: WARM_UP_TOOL,
      arguments: {},
      ...(meta ? { _meta: meta } : {}),
    });
  } finally {
    await connection.close();
  }
}

/** Servers built like the real ones (serve.ts) that serve only WARM_UP_TOOL, from memory. */
const inMemoryServer: McpServerFactory = ({ era }) => {
  const tools = catalogue.tools.filter((tool) => tool.name === WARM_UP_TOOL);
  return createServer({
    client: inMemoryClient,
    tools,
    options: { logger: silentLogger, toolsets: tools.map((tool) => tool.toolset) },
    listing: prebuiltListing,
    era,
  });
};

/** One call of WARM_UP_TOOL in each protocol revision. Returns the answers (for tests); never throws. */
export async function warmCallPath(factory = inMemoryServer): Promise<JSONRPCMessage[]> {
  try {
    const legacy = await callOnce(factory, undefined);
    const modern = await callOnce(factory, {
      [PROTOCOL_VERSION_META_KEY]: MODERN_REVISION,
      [CLIENT_INFO_META_KEY]: CLIENT,
      [CLIENT_CAPABILITIES_META_KEY]: {},
    });
    return [legacy, modern];
  } catch {
    // Only speed is at stake: a first real call does what this could not.
    return [];
  }
}
