import {
  CLIENT_CAPABILITIES_META_KEY,
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
