import type { Catalogue } from "../src/tool/define-tool.js";

/** The parts of manifest.json this module fills in; the rest is written by hand. */
export interface Manifest {
  tools?: Array<{ name: string; description: string }>;
  user_config?: Record<string, { description?: string }>;
  [key: string]: unknown;
}

/**
 * manifest.json with its tool list and the toolsets setting's description made from the catalogue
 * (npm run manifest); test/host-configs.test.ts fails when the committed file differs.
 */
export function withCatalogue(manifest: Manifest, { tools, toolsets }: Catalogue): Manifest {
  const defaults = toolsets.filter((t) => t.default).map((t) => t.name);
  const empty =
    defaults.length === toolsets.length ? "all" : `the default ones (${defaults.join(", ")})`;
  return {
    ...manifest,
    tools: tools.map(({ name, description }) => ({ name, description })),
    user_config: {
      ...manifest.user_config,
      toolsets: {
        ...manifest.user_config?.toolsets,
        description: `Offer only these toolsets, comma-separated: ${toolsets.map((t) => t.name).join(", ")}. Empty for ${empty}.`,
      },
    },
  };
}
