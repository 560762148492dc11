/** npm run readme: regenerates the toolset and tool tables in README.md from the registry. */
import { readFileSync, writeFileSync } from "node:fs";
import { catalogue } from "../tools/index.js";
import { updateReadme } from "./tool-table.js";

const file = new URL("../../README.md", import.meta.url);
writeFileSync(file, updateReadme(readFileSync(file, "utf8"), catalogue));
console.log(`README.md: ${catalogue.toolsets.length} toolsets, ${catalogue.tools.length} tools`);
