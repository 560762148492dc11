import type { ToolsetDefinition } from "../src/define-tool.js";

/**
 * Every toolset, in the order of the tools in tools/list. The default ones are served when the
 * operator names none (--toolsets, CLICKSEND_TOOLSETS); test/registry.test.ts checks that every
 * tool's toolset is declared here and that every toolset has a tool.
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
      "Send SMS, read SMS history, replies and delivery receipts and the rules that let them be polled, cancel scheduled SMS.",
    default: true,
  },
  { name: "templates", description: "Saved SMS templates.", default: true },
  { name: "mms", description: "Send MMS and read MMS history.", default: true },
  {
    name: "voice",
    description: "Voice calls that speak a text, and the languages they can speak.",
    default: true,
  },
  { name: "lists", description: "Contact lists.", default: true },
  { name: "contacts", description: "The contacts of a contact list.", default: true },
  { name: "email", description: "Allowed sender email addresses.", default: true },
];
