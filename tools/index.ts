import type { ToolDefinition } from "../src/define-tool.js";
import { getAccount, listCountries } from "./account.js";

/** Every tool, imported explicitly: this list is the catalogue. */
export const tools: ToolDefinition[] = [getAccount, listCountries];
