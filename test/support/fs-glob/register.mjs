/**
 * Preload for running @modelcontextprotocol/conformance on Node 20 (test only): the suite imports
 * `globSync` from "fs", which Node adds in 22. An ESM builtin's exports are fixed, so the import is
 * redirected to a module that re-exports node:fs with a small globSync. Use: node --import <this>.
 */
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
