import type { Tool } from "@modelcontextprotocol/server";

/**
 * tools/list of the whole catalogue by tool name, computed at build time: scripts/build-bin.ts
 * replaces this module in the bundle with the registry's listing, so a start does not convert
 * every tool's zod schema to JSON Schema. Running from source (tests, tsc output) it is undefined
 * and the server computes the listing; test/listing.test.ts proves the two agree.
 */
export const prebuiltListing: ReadonlyMap<string, Tool> | undefined = undefined;

/** What a start needs of the catalogue before it loads (early-answers.ts), computed at build time. */
export interface PrebuiltCatalogue {
  /** Each tool's toolset, by tool name. */
  toolsets: Record<string, string>;
  /** Each send preview's send tool, by preview name. */
  previews: Record<string, string>;
}

export const prebuiltCatalogue: PrebuiltCatalogue | undefined = undefined;
