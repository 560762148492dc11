/**
 * Which tools a server serves, and what it declares for them: one place for the server
 * (server.ts), the send card (apps/send-card.ts) and the answers a start gives before the SDK
 * loads (early-answers.ts, from build-time data). No SDK or zod import: the start must not load them.
 */
import type { ToolsetDefinition } from "../tool/define-tool.js";

/** The MCP Apps extension as clients and servers declare it in their capabilities. */
export const UI_EXTENSION = "io.modelcontextprotocol/ui";

interface Selectable {
  name: string;
  toolset: string;
  annotations?: { readOnlyHint?: boolean | undefined } | undefined;
}

export interface Selection {
  readOnly?: boolean | undefined;
  /** Names of the toolsets to serve; every tool when unset. */
  toolsets?: string[] | undefined;
}

/** The tools a server exposes after the operator's filters; read-only derives from readOnlyHint. */
export function selectTools<T extends Selectable>(tools: T[], options: Selection): T[] {
  return tools.filter(
    (tool) =>
      (!options.readOnly || tool.annotations?.readOnlyHint === true) &&
      (!options.toolsets || options.toolsets.includes(tool.toolset)),
  );
}

/** The toolsets the operator named, or the default ones. */
export const servedToolsets = (named: string[] | undefined, toolsets: ToolsetDefinition[]) =>
  named ?? toolsets.filter((t) => t.default).map((t) => t.name);

/**
 * Each read-only preview served with the send tool it previews (sendOf: the catalogue says which):
 * what the send card offers.
 */
export function previewSendPairs<T extends Omit<Selectable, "toolset">>(
  tools: T[],
  sendOf: (preview: T) => string | undefined,
): Array<{ preview: T; send: T }> {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return tools.flatMap((preview) => {
    const name = sendOf(preview);
    const send = name !== undefined ? byName.get(name) : undefined;
    return send && preview.annotations?.readOnlyHint === true ? [{ preview, send }] : [];
  });
}

/** Claude Code's channels: the experimental capability servers and clients declare. */
export const CHANNEL_CAPABILITY = "claude/channel";

/**
 * The server's capabilities; the UI extension when it offers the send card; resource
 * subscriptions and Claude Code's channels when the reply watcher runs (src/push/); resource
 * subscriptions alone over HTTP with the ClickSend webhook (`listenable`).
 */
export const serverCapabilities = (sendCard: boolean, push = false, listenable = false) => ({
  tools: { listChanged: false },
  resources: { listChanged: false, ...(push || listenable ? { subscribe: true } : {}) },
  logging: {},
  ...(sendCard ? { extensions: { [UI_EXTENSION]: {} } } : {}),
  ...(push ? { experimental: { [CHANNEL_CAPABILITY]: {} } } : {}),
});
