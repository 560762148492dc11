/** npm run readme: regenerates the tools table in README.md from the registry. */
import { readFileSync, writeFileSync } from "node:fs";
import { tools } from "../tools/index.js";
import { replaceTable, toolTable } from "./tool-table.js";

const file = new URL("../../README.md", import.meta.url);
writeFileSync(file, replaceTable(readFileSync(file, "utf8"), toolTable(tools)));
console.log(`README.md: ${tools.length} tools`);
