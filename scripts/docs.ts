/** npm run docs: regenerates the tables in README.md and docs/tools.md from the registry. */
import { readFileSync, writeFileSync } from "node:fs";
import { catalogue } from "../tools/index.js";
import { updateReadme, updateToolsDoc } from "./tool-table.js";

for (const [path, update] of [
  ["README.md", updateReadme],
  ["docs/tools.md", updateToolsDoc],
] as const) {
  const file = new URL(`../../${path}`, import.meta.url);
  writeFileSync(file, update(readFileSync(file, "utf8"), catalogue));
}
console.log(
  `README.md, docs/tools.md: ${catalogue.toolsets.length} toolsets, ${catalogue.tools.length} tools`,
);
