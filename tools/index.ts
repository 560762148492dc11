import type { Catalogue, ToolDefinition } from "../src/tool/define-tool.js";
import * as account from "./account.js";
import * as automations from "./automations.js";
import * as contacts from "./contacts.js";
import * as conversations from "./conversations.js";
import * as email from "./email.js";
import { instructions } from "./instructions.js";
import * as lists from "./lists.js";
import * as mms from "./mms.js";
import * as replies from "./replies.js";
import * as senders from "./senders.js";
import * as sms from "./sms.js";
import * as statistics from "./statistics.js";
import * as status from "./status.js";
import * as templates from "./templates.js";
import { toolsets } from "./toolsets.js";
import * as voice from "./voice.js";

/**
 * The tool files, imported explicitly, in the order tools/list shows them. Every tool a file
 * exports is in the catalogue, so a new tool is one definition in its toolset's file.
 */
const files = [
  account,
  sms,
  replies,
  conversations,
  automations,
  status,
  senders,
  templates,
  mms,
  voice,
  lists,
  contacts,
  email,
  statistics,
];

const isTool = (value: unknown): value is ToolDefinition =>
  typeof value === "object" &&
  value !== null &&
  "run" in value &&
  "annotations" in value &&
  "toolset" in value;

/**
 * Every tool of the catalogue: file by file, and by name within a file. Sorted here, not left
 * to the module system: a namespace's key order differs between Node and the test runner.
 */
export const tools: ToolDefinition[] = files.flatMap((file) =>
  Object.values(file)
    .filter(isTool)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);

/** What cli.ts hands the framework. */
export const catalogue: Catalogue = {
  tools,
  toolsets,
  instructions,
  replies: replies.replySource,
  resources: conversations.conversationResources,
};

export { defaultToolsets } from "./toolsets.js";
export { instructions, toolsets };
