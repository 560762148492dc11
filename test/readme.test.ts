import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { updateReadme } from "../scripts/tool-table.js";
import { catalogue } from "../tools/index.js";

it("README's toolset and tool tables match the registry (run npm run readme to update)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(updateReadme(readme, catalogue)).toBe(readme);
});
