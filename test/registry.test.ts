import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { toolListing } from "../src/protocol/server.js";
import { tools, toolsets } from "../tools/index.js";
import { modelVisible } from "./bench/listing.js";
import { LISTING_BUDGET } from "./support/listing-budget.js";

const VERBS = [
  ...["list", "get", "create", "update", "delete", "send", "cancel"],
  ...["mark", "search", "preview", "await"],
  // upload_media (issue 24): the name ClickSend's endpoint and the issue give it.
  "upload",
];
const KEY = /^[a-zA-Z0-9_.-]{1,64}$/;

function propertyKeys(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const item of schema) propertyKeys(item, out);
  } else if (schema && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value && typeof value === "object")
        out.push(...Object.keys(value));
      propertyKeys(value, out);
    }
  }
  return out;
}

describe("tool registry", () => {
  it("has unique snake_case verb_noun names", () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      expect(VERBS).toContain(name.split("_")[0]);
    }
  });

  it("sets all four annotations on every tool, and no read-only tool is destructive", () => {
    for (const tool of tools) {
      const a = tool.annotations;
      for (const hint of [
        "readOnlyHint",
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
      ] as const) {
        expect(typeof a[hint], `${tool.name}.${hint}`).toBe("boolean");
      }
      if (a.readOnlyHint) expect(a.destructiveHint, tool.name).toBe(false);
      if (tool.name.startsWith("list_") || tool.name.startsWith("get_")) {
        expect(a.readOnlyHint, tool.name).toBe(true);
      }
      if (tool.name.startsWith("send_")) {
        expect(a, tool.name).toMatchObject({
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: true,
        });
      }
      if (tool.name.startsWith("delete_")) expect(a.destructiveHint, tool.name).toBe(true);
    }
  });

  it("keeps descriptions short and in a known toolset", () => {
    for (const tool of tools) {
      expect(tool.description.length, tool.name).toBeGreaterThan(20);
      expect(tool.description.length, tool.name).toBeLessThanOrEqual(300);
      expect(
        toolsets.map((t) => t.name),
        tool.name,
      ).toContain(tool.toolset);
    }
  });

  it("declares each toolset once, with a description and at least one tool", () => {
    const names = toolsets.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const toolset of toolsets) {
      // "all" and "default" are what --toolsets says for several toolsets.
      expect(toolset.name).toMatch(/^[a-z]+$/);
      expect(["all", "default"]).not.toContain(toolset.name);
      expect(toolset.description.length, toolset.name).toBeGreaterThan(10);
      expect(toolset.description, toolset.name).not.toContain("\n");
      expect(tools.filter((t) => t.toolset === toolset.name).length, toolset.name).toBeGreaterThan(
        0,
      );
    }
  });

  it("declares every tool's result as an object schema, which tools/list carries", () => {
    for (const tool of tools) {
      expect(tool.output, tool.name).toBeInstanceOf(z.ZodObject);
      expect(toolListing(tool).outputSchema?.type, tool.name).toBe("object");
    }
  });

  it("says where ids come from on every tool that takes an id", () => {
    for (const tool of tools) {
      const keys = Object.keys(tool.input.shape);
      if (keys.some((key) => key.endsWith("_id"))) expect(tool.ids, tool.name).toBeDefined();
    }
  });

  it("uses property keys every major host accepts", () => {
    for (const tool of tools) {
      for (const key of propertyKeys(toolListing(tool).inputSchema)) {
        expect(key, `${tool.name}: ${key}`).toMatch(KEY);
      }
    }
  });

  // Bytes stand in for tokens here (about 4 bytes a token in this listing); npm run bench counts
  // the tokens with a real tokenizer against its targets. Both count what the model sees: hosts
  // keep outputSchema to check results. The three preview tools repeat their send tools' message
  // schemas (a host must see a read-only tool's whole input), which the catalogue's budget pays for.
  it("keeps tools/list of the default toolsets, and of all, within the listing budget", () => {
    const bytes = (chosen: typeof tools) =>
      Buffer.byteLength(
        JSON.stringify({ tools: chosen.map((tool) => modelVisible(toolListing(tool))) }),
      );
    const defaults = new Set(toolsets.filter((t) => t.default).map((t) => t.name));
    expect(bytes(tools.filter((t) => defaults.has(t.toolset)))).toBeLessThanOrEqual(
      LISTING_BUDGET.defaultBytes,
    );
    expect(bytes(tools)).toBeLessThanOrEqual(LISTING_BUDGET.allBytes);
  });
});

/**
 * What the model sees of each tool, as tools/list serves it, one committed file per tool under
 * __snapshots__/listing/: any change to a name, title, description, input schema or annotation
 * shows up in review. `vitest run -u` rewrites them; in CI (CI=true) a missing or different file
 * fails.
 */
describe("tools/list, one snapshot per tool", () => {
  const SNAPSHOTS = new URL("./__snapshots__/listing/", import.meta.url);

  it.each(tools.map((tool) => [tool.name, tool] as const))("%s", async (name, tool) => {
    await expect(`${JSON.stringify(toolListing(tool), null, 2)}\n`).toMatchFileSnapshot(
      `./__snapshots__/listing/${name}.json`,
    );
  });

  it("keeps no snapshot of a tool the registry no longer has", () => {
    const names = new Set(tools.map((tool) => tool.name));
    // Before the first snapshots are written there is no folder yet.
    const files = existsSync(SNAPSHOTS) ? readdirSync(SNAPSHOTS) : [];
    const orphans = files
      .map((file) => file.replace(/\.json$/, ""))
      .filter((name) => !names.has(name));
    expect(orphans).toEqual([]);
  });
});
