/**
 * The send card (MCP Apps, issue 15 item 4): served only to clients that declare the UI
 * extension, in both protocol generations; send_previewed sends through the send tool with the
 * preview's confirmation, once. Then the card itself in Chromium: a host page embeds the view in a
 * sandboxed iframe and bridges it with ext-apps' AppBridge to this server; clicking Send reaches
 * the sandbox exactly once and the card says so, and a second click sends nothing.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type CallToolResult,
  Client,
  InMemoryTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { build, stop as stopEsbuild } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_MIME_TYPE, cardUri, SEND_PREVIEWED, UI_EXTENSION } from "../src/apps/send-card.js";
import { silentLogger } from "../src/logger.js";
import { createServer, type ServerOptions } from "../src/server.js";
import { tools } from "../tools/index.js";
import { type Harness, harness, sendRequests } from "./support/harness.js";
import { dataOf } from "./support/results.js";

const CHROMIUM = "/usr/bin/chromium";
const APPS = { extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } } };
const ARGS = {
  messages: [
    { to: "+61412345678", body: "Your order is ready." },
    { to: "0412 345 679", country: "AU", body: "Your order is ready." },
  ],
};

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
  // esbuild's service process (bridgeScript's build) would otherwise live until this worker ends.
  await stopEsbuild();
});

const serverFor = (era: "legacy" | "modern", options: ServerOptions = {}) =>
  createServer({
    client: h.client,
    tools,
    options: { sandbox: true, logger: silentLogger, sending: h.sending, ...options },
    era,
  });

async function legacyClient(apps: boolean, options: ServerOptions = {}): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "host", version: "1.0.0" }, apps ? { capabilities: APPS } : {});
  await Promise.all([serverFor("legacy", options).connect(serverSide), client.connect(clientSide)]);
  return client;
}

async function modernClient(apps: boolean): Promise<Client> {
  const handler = createMcpHandler(({ era }) => serverFor(era));
  const client = new Client(
    { name: "host", version: "1.0.0" },
    {
      versionNegotiation: { mode: { pin: "2026-07-28" as const } },
      ...(apps ? { capabilities: APPS } : {}),
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL("http://in-process.test/mcp"), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );
  return client;
}

const listed = async (client: Client) =>
  new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));

const textOf = (result: unknown) =>
  ((result as CallToolResult).content ?? []).map((c) => (c.type === "text" ? c.text : "")).join();

async function preview(client: Client, args: Record<string, unknown> = ARGS) {
  const result = (await client.callTool({
    name: "preview_sms",
    arguments: args,
  })) as CallToolResult;
  const confirmation = (result.structuredContent as { confirmation?: string }).confirmation;
  if (!confirmation) throw new Error(`no confirmation: ${textOf(result)}`);
  return { result, confirmation };
}

describe.each([
  ["a 2025 client", legacyClient],
  ["a 2026-07-28 client", modernClient],
])("%s", (_name, connect) => {
  it("that renders apps gets the cards on the previews and send_previewed as app-only", async () => {
    const tools = await listed(await connect(true));
    for (const name of ["preview_sms", "preview_mms", "preview_voice"]) {
      expect(tools.get(name)?._meta).toEqual({
        ui: { resourceUri: cardUri(name) },
        "ui/resourceUri": cardUri(name),
      });
    }
    expect(tools.get("send_sms")?._meta).toBeUndefined();
    expect(tools.get(SEND_PREVIEWED)?._meta).toEqual({ ui: { visibility: ["app"] } });
    expect(tools.get(SEND_PREVIEWED)?.outputSchema).toEqual(tools.get("send_sms")?.outputSchema);
  });

  it("that does not sees no card, no app tool and no view, and cannot call it", async () => {
    const client = await connect(false);
    const tools = await listed(client);
    expect(tools.has(SEND_PREVIEWED)).toBe(false);
    expect([...tools.values()].filter((tool) => tool._meta !== undefined)).toEqual([]);
    const { resources } = await client.listResources();
    expect(resources.filter((r) => r.uri.startsWith("ui://"))).toEqual([]);
    await expect(client.readResource({ uri: cardUri("preview_sms") })).rejects.toThrow();
    const call = await client
      .callTool({ name: SEND_PREVIEWED, arguments: {} })
      .catch((error: Error) => ({
        isError: true,
        content: [{ type: "text", text: error.message }],
      }));
    expect(call.isError).toBe(true);
    expect(textOf(call)).toContain(`Unknown tool: ${SEND_PREVIEWED}`);
  });
});

describe("the view resource", () => {
  it("is an MCP App document that may reach no network", async () => {
    const client = await legacyClient(true);
    const { resources } = await client.listResources();
    const card = resources.find((r) => r.uri === cardUri("preview_sms"));
    expect(card).toMatchObject({ mimeType: APP_MIME_TYPE });
    const { contents } = await client.readResource({ uri: cardUri("preview_sms") });
    const view = contents[0] as { mimeType: string; text: string; _meta: unknown };
    expect(view.mimeType).toBe("text/html;profile=mcp-app");
    expect(view._meta).toMatchObject({ ui: { csp: { connectDomains: [], resourceDomains: [] } } });
    expect(view.text).toMatch(
      /Content-Security-Policy" content="default-src 'none';[^"]*connect-src 'none'/,
    );
    expect(view.text).toContain('data-preview="preview_sms"');
  });

  it("is not served under --read-only, where nothing can be sent", async () => {
    const client = await legacyClient(true, { readOnly: true });
    const tools = await listed(client);
    expect(tools.has("preview_sms")).toBe(true);
    expect(tools.has(SEND_PREVIEWED)).toBe(false);
    expect(tools.get("preview_sms")?._meta).toBeUndefined();
  });
});

describe("send_previewed", () => {
  it("sends the preview once, through the send tool's confirmation", async () => {
    const client = await legacyClient(true);
    const { confirmation } = await preview(client);
    const before = sendRequests(h.sandbox).length;
    const call = { preview: "preview_sms", arguments: ARGS, confirmation };
    const sent = await client.callTool({ name: SEND_PREVIEWED, arguments: call });
    expect(sent.isError).toBeFalsy();
    expect(dataOf(sent)).toMatchObject({ queued_count: 2 });
    expect(sendRequests(h.sandbox).length).toBe(before + 1);

    const again = await client.callTool({ name: SEND_PREVIEWED, arguments: call });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/confirmation/);
    expect(sendRequests(h.sandbox).length).toBe(before + 1);
  });

  it("refuses other arguments than the preview's, and send options, sending nothing", async () => {
    const client = await legacyClient(true);
    const { confirmation } = await preview(client);
    const before = sendRequests(h.sandbox).length;
    const other = { messages: [{ to: "+61412345678", body: "Something else." }] };
    const changed = await client.callTool({
      name: SEND_PREVIEWED,
      arguments: { preview: "preview_sms", arguments: other, confirmation },
    });
    expect(changed.isError).toBe(true);
    expect(textOf(changed)).toMatch(/confirmation/);
    const options = await client.callTool({
      name: SEND_PREVIEWED,
      arguments: {
        preview: "preview_sms",
        arguments: { ...ARGS, allow_duplicate: true },
        confirmation,
      },
    });
    expect(options.isError).toBe(true);
    expect(textOf(options)).toContain("allow_duplicate");
    expect(sendRequests(h.sandbox).length).toBe(before);
  });
});

/** ext-apps' AppBridge and its PostMessageTransport for the host page, as one browser script. */
async function bridgeScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
globalThis.AppBridge = AppBridge;
globalThis.PostMessageTransport = PostMessageTransport;`,
      resolveDir: process.cwd(),
      loader: "js",
    },
    bundle: true,
    format: "iife",
    platform: "browser",
    minify: true,
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]?.text ?? "";
}

/**
 * The host page's part: the view in a sandboxed iframe (scripts only, an opaque origin), bridged
 * to the server through hostCallTool; then the preview's arguments and result, as a host sends them.
 */
const HOST = `async ({ html, args, result }) => {
  const frame = document.getElementById("view");
  const bridge = new AppBridge(null, { name: "test-host", version: "1.0.0" },
    { serverTools: {}, updateModelContext: { text: {} } });
  bridge.oncalltool = (params) => window.hostCallTool(params);
  bridge.onupdatemodelcontext = async (params) => { window.modelContext.push(params); return {}; };
  bridge.onsizechange = ({ height }) => { if (height) frame.height = String(height + 4); };
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  window.modelContext = [];
  // The iframe's window stays the same object when srcdoc loads: the bridge listens before the view speaks.
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result);
}`;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `test/send-card.test.ts: ${CHROMIUM} is missing, so the send card's browser test is skipped (apt-get install chromium).`,
  );
}

describe.skipIf(!hasChromium)("the send card in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox"],
    });
  });
  afterAll(() => browser?.close());

  it("sends once on Send, shows the result, and a second click sends nothing", async () => {
    const client = await legacyClient(true);
    const tools = await listed(client);
    const ui = tools.get("preview_sms")?._meta?.ui as { resourceUri?: string } | undefined;
    const uri = ui?.resourceUri ?? "";
    const view = (await client.readResource({ uri })).contents[0] as { text: string };
    const { result, confirmation } = await preview(client);

    const page = await browser.newPage();
    const hostCalls: string[] = [];
    // A host lets a view call only tools whose visibility includes "app" (the default does).
    await page.exposeFunction(
      "hostCallTool",
      async (params: { name: string; arguments?: Record<string, unknown> }) => {
        hostCalls.push(params.name);
        const visibility = (
          tools.get(params.name)?._meta?.ui as { visibility?: string[] } | undefined
        )?.visibility ?? ["model", "app"];
        if (!visibility.includes("app")) throw new Error(`${params.name} is not for apps`);
        return client.callTool(params);
      },
    );
    await page.setContent(
      `<!doctype html><title>Host</title><iframe id="view" title="Send card" sandbox="allow-scripts" width="480" height="320"></iframe><script>${await bridgeScript()}</script>`,
    );
    await page.evaluate(`(${HOST})(${JSON.stringify({ html: view.text, args: ARGS, result })})`);

    const card = page.frameLocator("#view");
    const send = card.getByRole("button", { name: /^Send to 2 recipients for / });
    await expect.poll(() => send.isEnabled()).toBe(true);
    const shown = await card.locator("main").textContent();
    expect(shown).toContain("***678");
    expect(shown).toContain("***679");
    expect(shown).not.toContain("412345678");
    expect(shown).toMatch(/Price/);

    // The view may reach nothing: its CSP blocks even a no-cors request to the sandbox.
    const before = h.sandbox.requests.length;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const fetched = await frame?.evaluate(
      `fetch(${JSON.stringify(`${h.sandbox.baseUrl}/account`)}, { mode: "no-cors" }).then(() => "reached", () => "blocked")`,
    );
    expect(fetched).toBe("blocked");
    expect(h.sandbox.requests.length).toBe(before);

    const sendsBefore = sendRequests(h.sandbox).length;
    await send.focus();
    await page.keyboard.press("Enter");
    const status = card.getByRole("status");
    await expect.poll(() => status.textContent()).toMatch(/^Sent: 2 queued/);
    expect(sendRequests(h.sandbox).length).toBe(sendsBefore + 1);
    expect(hostCalls).toEqual([SEND_PREVIEWED]);
    expect(await send.isDisabled()).toBe(true);
    const told = (await page.evaluate("window.modelContext")) as Array<{
      content: { text: string }[];
    }>;
    expect(told[0]?.content[0]?.text).toMatch(
      /^From the send card for preview_sms: Sent: 2 queued/,
    );

    mkdirSync("test-results", { recursive: true });
    const screenshot = join(process.cwd(), "test-results", "send-card.png");
    await page.screenshot({ path: screenshot });
    console.log(`send card screenshot: ${screenshot}`);

    // A second click, the button forced back on: the confirmation is spent, nothing is sent.
    await frame?.evaluate('document.getElementById("send").disabled = false');
    await send.click();
    await expect
      .poll(() => status.textContent())
      .toMatch(/^Not sent: [\s\S]*confirmation: already used/);
    expect(sendRequests(h.sandbox).length).toBe(sendsBefore + 1);
    expect(confirmation).toMatch(/^cf_/);
    await page.close();
  });
});
