import * as z from "zod";
import type { RequestClient } from "../src/client/client.js";
import { UserInputError } from "../src/errors.js";
import { defineTool } from "../src/tool/define-tool.js";
import { numberOf } from "../src/values.js";
import { NAME } from "../src/version.js";
import { CREATE, READ } from "./annotations.js";
import { pageInput } from "./inputs.js";
import { optionalText } from "./outputs.js";

/**
 * Automation rules (clicksend-api.md §5, §15). ClickSend lists replies (GET sms/inbound), SMS
 * delivery receipts (GET sms/receipts) and voice receipts (GET voice/receipts) only while the
 * account has an enabled rule of that kind whose action is POLL; a new account has none, so the
 * lists stay empty until one exists. Voice receipt rules live at automations/voice/receipts (the
 * SDK's VoiceDeliveryReceiptAutomation*, S1 and S3); ClickSend has no voice inbound rule.
 */

export const RULE_KINDS = ["inbound", "receipts", "voice_receipts"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** A rule as ClickSend returns it; S1's list example says sms_inbound_rule_id. */
interface Rule {
  inbound_rule_id?: number | string;
  sms_inbound_rule_id?: number | string;
  receipt_rule_id?: number | string;
  rule_name?: string;
  dedicated_number?: string;
  message_search_type?: number | string;
  message_search_term?: string | null;
  match_type?: number | string;
  action?: string;
  action_address?: string | null;
  enabled?: number | string | boolean;
}

/** What each kind is called in results and hints. */
const WHAT: Record<RuleKind, string> = {
  inbound: "replies",
  receipts: "receipts",
  voice_receipts: "voice_receipts",
};

const rulesPath = (kind: RuleKind) =>
  kind === "voice_receipts" ? "automations/voice/receipts" : `automations/sms/${kind}`;
const enabled = (rule: Rule) => rule.enabled === true || numberOf(rule.enabled) === 1;
const polls = (rule: Rule) => rule.action?.toUpperCase() === "POLL" && enabled(rule);

/** More rules than anyone keeps; the walk stops there rather than page forever. */
const MAX_RULE_PAGES = 10;

/** The account's first enabled POLL rule of a kind (that `covers`, when given), on any page. */
export const findPollRule = (
  client: RequestClient,
  kind: RuleKind,
  covers: (rule: Rule) => boolean = () => true,
) => findRule(client, kind, (rule) => polls(rule) && covers(rule));

async function findRule(
  client: RequestClient,
  kind: RuleKind,
  wanted: (rule: Rule) => boolean,
): Promise<Rule | undefined> {
  for (let page = 1; page <= MAX_RULE_PAGES; page++) {
    const result = await client.page<Rule>(rulesPath(kind), { page, limit: 100 });
    const found = result.items.find(wanted);
    if (found || !result.has_more) return found;
  }
  return undefined;
}

const WEBHOOK_PATH = "/webhooks/clicksend/";
/** A rule's address with a webhook secret hidden: it is never shown, whoever set it. */
const hideSecret = (address: string | null | undefined) => {
  const at = address?.indexOf(WEBHOOK_PATH) ?? -1;
  return address && at >= 0 ? `${address.slice(0, at + WEBHOOK_PATH.length)}<secret>` : address;
};

/**
 * The webhook address under `base`: https, or http to this machine in sandbox mode (the
 * simulator posts to a local server). The secret is appended here and nowhere shown.
 */
function webhookAddress(base: string | undefined, secret: string | undefined, sandbox: boolean) {
  if (!secret) {
    throw new UserInputError(
      "public_base_url: this server takes ClickSend's webhook only over --http with CLICKSEND_WEBHOOK_SECRET set; leave it out for a POLL rule.",
      ["public_base_url"],
    );
  }
  const url = base && base.length <= 200 ? URL.parse(base) : null;
  const local = url?.protocol === "http:" && /^(127\.|localhost$|\[::1\]$)/.test(url.hostname);
  if (!url || !(url.protocol === "https:" || (sandbox && local)) || url.search || url.hash) {
    throw new UserInputError(
      "public_base_url: the https:// address ClickSend reaches this server at, without query or fragment.",
      ["public_base_url"],
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}${WEBHOOK_PATH}${secret}`;
}

/** What a list of replies or receipts says when it is empty because nothing can be polled. */
export async function pollHint(client: RequestClient, kind: RuleKind): Promise<string | undefined> {
  if (await findPollRule(client, kind)) return undefined;
  return `ClickSend lists ${WHAT[kind].replace("_", " ")} only while the account has an enabled POLL rule for them, and it has none: create one with create_automation_rule (kind ${kind}).`;
}

function shapeRule(rule: Rule) {
  const searched = numberOf(rule.message_search_type);
  return {
    inbound_rule_id: numberOf(rule.inbound_rule_id ?? rule.sms_inbound_rule_id),
    receipt_rule_id: numberOf(rule.receipt_rule_id),
    rule_name: rule.rule_name,
    dedicated_number: rule.dedicated_number,
    // 0 is "any message": the search fields then say nothing.
    message_search_type: searched || undefined,
    message_search_term: searched ? rule.message_search_term : undefined,
    action: rule.action,
    action_address:
      rule.action?.toUpperCase() === "POLL" ? undefined : hideSecret(rule.action_address),
    enabled: enabled(rule),
  };
}

const ruleOutput = z.object({
  inbound_rule_id: z.number().optional(),
  receipt_rule_id: z.number().optional(),
  rule_name: optionalText,
  dedicated_number: optionalText,
  message_search_type: z.number().optional(),
  message_search_term: optionalText,
  action: optionalText,
  action_address: optionalText,
  enabled: z.boolean(),
});
const rulesPage = z.object({
  items: z.array(ruleOutput),
  page: z.int(),
  total: z.int(),
  has_more: z.boolean(),
});

const kindInput = z.enum(RULE_KINDS);

/** What a new rule lets the model do. */
const CREATED: Record<RuleKind, string> = {
  inbound:
    "Replies can now be polled with list_inbound_sms; one that came earlier may show only in get_inbound_sms.",
  receipts:
    "Receipts can now be polled with list_delivery_receipts; an earlier one may show only in get_delivery_receipt.",
  voice_receipts: "Voice call receipts can now be polled with list_voice_receipts.",
};

export const listAutomationRules = defineTool({
  name: "list_automation_rules",
  toolset: "sms",
  title: "List automation rules",
  description:
    "Say which of replies, SMS receipts and voice receipts can be polled (an enabled POLL rule), and list the account's rules for them.",
  input: () =>
    z.strictObject({
      kind: kindInput
        .optional()
        .describe("inbound (replies), receipts (SMS), voice_receipts; all when omitted"),
      page: pageInput.page,
    }),
  annotations: READ,
  output: z.object({
    polling: z.object({
      replies: z.boolean().optional(),
      receipts: z.boolean().optional(),
      voice_receipts: z.boolean().optional(),
    }),
    inbound: rulesPage.optional(),
    receipts: rulesPage.optional(),
    voice_receipts: rulesPage.optional(),
    note: optionalText,
  }),
  run: async ({ kind, page: wanted }, { client }) => {
    const kinds = kind ? [kind] : RULE_KINDS;
    const pages = await Promise.all(
      kinds.map(async (k) => {
        const page = await client.page<Rule>(rulesPath(k), { page: wanted, limit: 100 });
        // A POLL rule on another page still counts.
        const pollable =
          page.items.some(polls) ||
          ((page.has_more || page.page > 1) && (await findPollRule(client, k)) !== undefined);
        const { items, total, has_more } = page;
        return {
          kind: k,
          pollable,
          page: { items: items.map(shapeRule), page: page.page, total, has_more },
        };
      }),
    );
    const missing = pages.filter((p) => !p.pollable).map((p) => p.kind);
    return {
      polling: Object.fromEntries(pages.map((p) => [WHAT[p.kind], p.pollable])),
      ...Object.fromEntries(pages.map((p) => [p.kind, p.page])),
      note: missing.length
        ? `Without an enabled POLL rule ClickSend lists no ${missing.map((k) => WHAT[k].replace("_", " ")).join(" and no ")}: create_automation_rule adds one per kind.`
        : undefined,
    };
  },
});

export const createAutomationRule = defineTool({
  name: "create_automation_rule",
  toolset: "sms",
  title: "Create polling rule",
  description:
    "Create the POLL rule ClickSend needs before list_inbound_sms, list_delivery_receipts or list_voice_receipts show anything; skipped if one exists.",
  input: () =>
    z.strictObject({
      kind: kindInput.describe(
        "inbound: replies; receipts: SMS receipts; voice_receipts: voice calls",
      ),
      rule_name: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .describe(`Default: Poll <kind> (${NAME})`),
      public_base_url: z
        .string()
        .optional()
        .describe("URL rule to this server's webhook at this https base"),
    }),
  // Repeating it finds the rule it made and creates nothing more.
  annotations: { ...CREATE, idempotentHint: true },
  output: z.object({
    existing: ruleOutput.optional(),
    created: ruleOutput.optional(),
    note: z.string(),
  }),
  run: async ({ kind, rule_name, public_base_url }, ctx) => {
    const { client } = ctx;
    if (public_base_url !== undefined) {
      if (kind === "voice_receipts") {
        throw new UserInputError("kind: URL rules are for inbound and receipts only.", ["kind"]);
      }
      const address = webhookAddress(public_base_url, ctx.webhookSecret, ctx.sandbox);
      const same = await findRule(
        client,
        kind,
        (rule) =>
          enabled(rule) && rule.action?.toUpperCase() === "URL" && rule.action_address === address,
      );
      if (same) {
        return {
          existing: shapeRule(same),
          note: "An enabled URL rule already posts to this server's webhook: nothing was created.",
        };
      }
      const url = {
        rule_name: rule_name ?? `Push ${WHAT[kind]} (${NAME})`,
        action: "URL",
        action_address: address,
        enabled: 1,
      };
      const body =
        kind === "inbound"
          ? {
              dedicated_number: "*",
              message_search_type: 0,
              message_search_term: "",
              webhook_type: "json",
              ...url,
            }
          : { match_type: 0, ...url };
      const created = await client.post<Rule>(rulesPath(kind), body);
      return {
        created: shapeRule(created),
        note: `ClickSend now posts ${WHAT[kind]} to this server's webhook; subscribers of clicksend://conversations/{number} are told. Keep a POLL rule too for list tools.`,
      };
    }
    // A second POLL rule would make ClickSend list each reply twice (§5).
    const existing = await findPollRule(
      client,
      kind,
      (rule) => kind !== "inbound" || rule.dedicated_number === "*",
    );
    if (existing) {
      return {
        existing: shapeRule(existing),
        note: `An enabled POLL rule already covers this, so nothing was created: ${WHAT[kind]} can be polled.`,
      };
    }
    const name = rule_name ?? `Poll ${WHAT[kind].replace("_", " ")} (${NAME})`;
    const poll = { rule_name: name, action: "POLL", action_address: "poll", enabled: 1 };
    const body =
      kind === "inbound"
        ? { dedicated_number: "*", message_search_type: 0, message_search_term: "", ...poll }
        : { match_type: 0, ...poll };
    const created = await client.post<Rule>(rulesPath(kind), body);
    return { created: shapeRule(created), note: CREATED[kind] };
  },
});
