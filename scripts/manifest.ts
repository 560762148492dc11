/**
 * npm run manifest: fills manifest.json's tool list and its toolsets setting from the registry
 * (the npm script then formats the file with Biome).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { catalogue } from "../tools/index.js";
import { type Manifest, withCatalogue } from "./manifest-parts.js";

const file = new URL("../../manifest.json", import.meta.url);
const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
writeFileSync(file, `${JSON.stringify(withCatalogue(manifest, catalogue), null, 2)}\n`);
console.log(
  `manifest.json: ${catalogue.toolsets.length} toolsets, ${catalogue.tools.length} tools`,
);
