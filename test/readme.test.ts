import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { replaceTable, toolTable } from "../scripts/tool-table.js";
import { tools } from "../tools/index.js";

it("README's tool table matches the registry (run npm run readme to update)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(replaceTable(readme, toolTable(tools))).toBe(readme);
});
