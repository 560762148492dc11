import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  type ProtocolEra,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";

/**
 * What the client of this request declared it can do: a 2025 client when it initialized, a
 * 2026-07-28 client in each request's envelope.
 */
export function clientCapabilitiesOf(
  era: ProtocolEra,
  server: Server,
  extra: ServerContext,
): ClientCapabilities | undefined {
  if (era === "legacy") return server.getClientCapabilities();
  const envelope: Record<string, unknown> = extra.mcpReq.envelope ?? {};
  return envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
}

/** The name the client of this request gave itself (clientInfo.name), if any. */
export function clientNameOf(
  era: ProtocolEra,
  server: Server,
  extra: ServerContext,
): string | undefined {
  if (era === "legacy") return server.getClientVersion()?.name;
  const envelope: Record<string, unknown> = extra.mcpReq.envelope ?? {};
  const info = envelope[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
  return typeof info?.name === "string" ? info.name : undefined;
}
