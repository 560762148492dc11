/**
 * The send card (MCP Apps): for hosts that render MCP Apps, each preview tool whose send tool is
 * served carries a ui:// view that shows the quote and has a Send button. The button calls
 * send_previewed, an app-only tool that hands the preview's exact arguments and its confirmation
 * to the send tool itself: the same validation, confirmation check, guards and ledger as a send
 * the model makes. Hosts that do not declare the UI extension see none of this.
 */
import type { ProtocolEra, Server, ServerContext, Tool } from "@modelcontextprotocol/server";
import * as z from "zod";
import { clientCapabilitiesOf } from "../protocol/client-capabilities.js";
import { previewSendPairs, UI_EXTENSION } from "../protocol/selection.js";
import type { ChannelWords } from "../sending/channel.js";
import { type SendOutput, sendOutput } from "../sending/output.js";
import { defineTool, type ToolDefinition } from "../tool/define-tool.js";
import { parseArguments } from "../tool/validate.js";
import { sendCardHtml } from "./send-card-view.js";

export { UI_EXTENSION } from "../protocol/selection.js";
export const APP_MIME_TYPE = "text/html;profile=mcp-app";
export const SEND_PREVIEWED = "send_previewed";

/** Older hosts read the view's URI from this flat key (the ext-apps SDK sets both). */
const LEGACY_URI_KEY = "ui/resourceUri";

export const cardUri = (previewTool: string) => `ui://clicksend-mcp/${previewTool}.html`;

/**
 * Whether the client of this request renders MCP Apps: a 2025 client said so when it
 * initialized, a 2026-07-28 client says so in each request's envelope.
 */
export function rendersApps(era: ProtocolEra, server: Server, extra: ServerContext): boolean {
  const ui = clientCapabilitiesOf(era, server, extra)?.extensions?.[UI_EXTENSION] as
    | { mimeTypes?: unknown }
    | undefined;
  if (!ui) return false;
  return !Array.isArray(ui.mimeTypes) || ui.mimeTypes.includes(APP_MIME_TYPE);
}

interface Pair {
  preview: ToolDefinition;
  send: ToolDefinition;
  words: ChannelWords;
}

export interface SendCard {
  /** The app-only tool the Send button calls. */
  tool: ToolDefinition;
  /** tools/list for an apps client: previews point at their view, send_previewed is app-only. */
  listing(tools: Tool[], appTool: Tool): Tool[];
  resources(): Array<{
    uri: string;
    name: string;
    title: string;
    description: string;
    mimeType: string;
    _meta: object;
  }>;
  /** The view, when uri names one; undefined otherwise. */
  read(uri: string): { uri: string; mimeType: string; text: string; _meta: object } | undefined;
}

/** The view's resource metadata: no network, no frames, nothing outside the document itself. */
const VIEW_META = {
  ui: {
    csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] },
    prefersBorder: true,
  },
};

/**
 * The send card for the served tools, or undefined when no preview's send tool is served
 * (--read-only, or a toolset without its send tool): a card that cannot send is not offered.
 * A preview names the send tool it previews (ToolDefinition.previews, set by tools/send-tools.ts).
 */
export function sendCard(tools: ToolDefinition[]): SendCard | undefined {
  const pairs = new Map<string, Pair>(
    previewSendPairs(tools, (tool) => tool.previews?.send).flatMap(({ preview, send }) =>
      preview.previews ? [[preview.name, { preview, send, words: preview.previews.words }]] : [],
    ),
  );
  const [first, ...rest] = [...pairs.keys()];
  if (first === undefined) return undefined;

  const tool = defineTool({
    name: SEND_PREVIEWED,
    toolset: "send-card",
    title: "Send the previewed message",
    description:
      "The send card's Send button: sends exactly what a preview showed, with its confirmation. Real and charged.",
    input: z.strictObject({
      preview: z.enum([first, ...rest]).describe("The preview tool the card shows"),
      arguments: z.record(z.string(), z.unknown()).describe("That preview's exact arguments"),
      confirmation: z.string().min(1).max(100).describe("That preview's confirmation"),
    }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    },
    output: sendOutput,
    run: (args, ctx) => {
      const { preview, send } = pairs.get(args.preview) as Pair;
      // What the preview took, nothing more (no idempotency_key, no allow_duplicate) ...
      parseArguments(preview.name, preview.input, args.arguments);
      // ... sent by the send tool itself, which checks the confirmation, the guards and the ledger.
      const sendArgs = parseArguments(send.name, send.input, {
        ...args.arguments,
        confirmation: args.confirmation,
      });
      // Every send tool returns sendOutput (src/sending/output.ts checks what send() builds).
      return send.run(sendArgs, ctx) as Promise<SendOutput>;
    },
  });

  return {
    tool,
    listing: (listed, appTool) => [
      ...listed.map((entry) =>
        pairs.has(entry.name)
          ? {
              ...entry,
              _meta: {
                ...entry._meta,
                ui: { resourceUri: cardUri(entry.name) },
                [LEGACY_URI_KEY]: cardUri(entry.name),
              },
            }
          : entry,
      ),
      { ...appTool, _meta: { ui: { visibility: ["app"] } } },
    ],
    resources: () =>
      [...pairs.values()].map(({ preview, send }) => ({
        uri: cardUri(preview.name),
        name: `send-card-${preview.name}`,
        title: `${preview.title}: send card`,
        description: `Shows ${preview.name}'s quote and recipients with a Send button that sends it as ${send.name} would`,
        mimeType: APP_MIME_TYPE,
        _meta: VIEW_META,
      })),
    read: (uri) => {
      const pair = [...pairs.values()].find(({ preview }) => cardUri(preview.name) === uri);
      if (!pair) return undefined;
      return {
        uri,
        mimeType: APP_MIME_TYPE,
        text: sendCardHtml({ preview: pair.preview.name, words: pair.words }),
        _meta: VIEW_META,
      };
    },
  };
}
