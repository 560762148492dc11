import type { ToolsetDefinition } from "../src/tool/define-tool.js";

/**
 * Every toolset, in the order of the tools in tools/list. The default ones are served when the
 * operator names none (--toolsets, CLICKSEND_TOOLSETS); test/registry.test.ts checks that every
 * tool's toolset is declared here and that every toolset has a tool.
 *
 * The default set is what most agents that text people need: send SMS, see whether it went and
 * arrived, find the people. The rest is one `--toolsets default,mms` (or `all`) away, and the
 * default listing stays within its token budget (test/registry.test.ts, npm run bench).
 */
export const toolsets: ToolsetDefinition[] = [
  {
    name: "account",
    description: "The account's balance and settings, and the country codes ClickSend knows.",
    default: true,
  },
  {
    name: "sms",
    description:
      "Send SMS, read SMS history, conversations, replies and delivery receipts and the rules that let them be polled, cancel scheduled SMS.",
    default: true,
  },
  {
    name: "status",
    description: "Whether a send went out and was delivered, and waiting for delivery.",
    default: true,
  },
  { name: "templates", description: "Saved SMS templates.", default: false },
  { name: "mms", description: "Send MMS and read MMS history.", default: false },
  {
    name: "voice",
    description: "Voice calls that speak a text, and the languages they can speak.",
    default: false,
  },
  { name: "lists", description: "Contact lists.", default: true },
  { name: "contacts", description: "The contacts of a contact list.", default: true },
  { name: "email", description: "Allowed sender email addresses.", default: false },
  {
    name: "senders",
    description: "The sender IDs (from) the account can use, and which get replies.",
    default: true,
  },
  { name: "statistics", description: "SMS totals and per-day counts and prices.", default: false },
];

/** The toolsets served when the operator names none. */
export const defaultToolsets = toolsets.filter((t) => t.default).map((t) => t.name);
