import { badRequest, fail, ok, type SandboxResponse } from "../envelope.js";
import { bodyOf, findById, pageOf, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import type { AutomationRules, InboundRule, ReceiptRule, SandboxUser } from "../state.js";

/**
 * Automation rules: GET, POST /automations/sms/{inbound,receipts}, /automations/voice/receipts
 * and GET, PUT, DELETE .../{rule_id} (clicksend-api.md §15; voice receipt rules take the same
 * DeliveryReceiptRule model as SMS ones, S3). Every field of the body is required
 * on POST, as the SDK's models say, except webhook_type; PUT changes the fields it is given.
 * match_type 0 (all reports) is the only one documented; the sandbox treats every rule as 0.
 */

const ACTIONS = new Set([
  "AUTO_REPLY",
  "EMAIL_USER",
  "EMAIL_FIXED",
  "URL",
  "SMS",
  "POLL",
  "GROUP_SMS",
  "MOVE_CONTACT",
  "CREATE_CONTACT",
  "CREATE_CONTACT_PLUS_EMAIL",
  "CREATE_CONTACT_PLUS_NAME_EMAIL",
  "CREATE_CONTACT_PLUS_NAME",
  "SMPP",
  "NONE",
]);

type Fields = Record<string, unknown>;
type Check = (value: unknown) => boolean;

const text: Check = (v) => typeof v === "string" && v.trim() !== "";
const anyText: Check = (v) => typeof v === "string";
const intIn =
  (...allowed: number[]): Check =>
  (v) =>
    allowed.includes(Number(v)) && String(v).trim() !== "";
const count: Check = (v) =>
  Number.isInteger(Number(v)) && Number(v) >= 0 && String(v).trim() !== "";
const action: Check = (v) => typeof v === "string" && ACTIONS.has(v.toUpperCase());

interface Kind<R> {
  idKey: keyof R & string;
  /** Each field and what a value must be; the label names it in a 400. */
  fields: Record<string, [check: Check, label: string]>;
  make(id: number, body: Fields): R;
}

const common = {
  rule_name: [text, "Rule name"],
  action: [action, "Action"],
  action_address: [anyText, "Action address"],
  enabled: [intIn(0, 1), "Enabled"],
} satisfies Kind<unknown>["fields"];

const inbound: Kind<InboundRule> = {
  idKey: "inbound_rule_id",
  fields: {
    dedicated_number: [text, "Dedicated number"],
    message_search_type: [intIn(0, 1, 2, 3), "Message search type"],
    message_search_term: [anyText, "Message search term"],
    ...common,
  },
  make: (inbound_rule_id, b) => ({
    inbound_rule_id,
    dedicated_number: String(b.dedicated_number),
    rule_name: String(b.rule_name),
    message_search_type: Number(b.message_search_type),
    message_search_term: String(b.message_search_term),
    action: String(b.action).toUpperCase(),
    action_address: String(b.action_address),
    enabled: Number(b.enabled),
    webhook_type: typeof b.webhook_type === "string" ? b.webhook_type : null,
  }),
};

const receipts: Kind<ReceiptRule> = {
  idKey: "receipt_rule_id",
  fields: { ...common, match_type: [count, "Match type"] },
  make: (receipt_rule_id, b) => ({
    receipt_rule_id,
    rule_name: String(b.rule_name),
    match_type: Number(b.match_type),
    action: String(b.action).toUpperCase(),
    action_address: String(b.action_address),
    enabled: Number(b.enabled),
  }),
};

/** 400 with a field map when a field is missing or invalid. */
function invalid(fields: Kind<unknown>["fields"], body: Fields): SandboxResponse | undefined {
  const errors: Record<string, string> = {};
  for (const [field, [check, label]] of Object.entries(fields)) {
    const value = body[field];
    if (value === undefined || value === null) errors[field] = `${label} field is required.`;
    else if (!check(value)) errors[field] = `${label} is invalid.`;
  }
  return Object.keys(errors).length ? badRequest("Invalid input.", errors) : undefined;
}

function rulesRoutes<K extends keyof AutomationRules>(
  name: K,
  kind: Kind<AutomationRules[K][number]>,
): Route[] {
  const base = name === "voice_receipts" ? "automations/voice/receipts" : `automations/sms/${name}`;
  const rulesOf = (req: SandboxRequest) =>
    req.state.rulesOf((req.user as SandboxUser).user_id)[name] as Array<AutomationRules[K][number]>;
  const withRule = (
    req: SandboxRequest,
    fn: (rule: AutomationRules[K][number]) => SandboxResponse,
  ) =>
    withItem(
      findById(rulesOf(req), kind.idKey, req.params.rule_id),
      // Undocumented; by analogy with "Contact record not found.".
      () => fail(404, "NOT_FOUND", "Rule record not found."),
      fn,
    );
  const nextId = (req: SandboxRequest) =>
    req.state.nextId(name === "inbound" ? "inboundRule" : "receiptRule");
  return [
    route("GET", base, (req) => pageOf(req, rulesOf(req))),
    route("POST", base, (req) => {
      const body = bodyOf(req);
      const refused = invalid(kind.fields, body);
      if (refused) return refused;
      const rule = kind.make(nextId(req), body);
      rulesOf(req).push(rule);
      return ok("Your new rule has been created.", rule);
    }),
    route("GET", `${base}/:rule_id`, (req) =>
      withRule(req, (rule) => ok("Here is your rule.", rule)),
    ),
    route("PUT", `${base}/:rule_id`, (req) =>
      withRule(req, (rule) => {
        const merged = { ...rule, ...bodyOf(req) };
        const refused = invalid(kind.fields, merged);
        if (refused) return refused;
        Object.assign(rule, kind.make(rule[kind.idKey] as number, merged));
        return ok("Your rule has been updated.", rule);
      }),
    ),
    route("DELETE", `${base}/:rule_id`, (req) =>
      withRule(req, (rule) => {
        const rules = rulesOf(req);
        rules.splice(rules.indexOf(rule), 1);
        return ok("Your rule has been deleted.", []);
      }),
    ),
  ];
}

export const automationRoutes: Route[] = [
  ...rulesRoutes("inbound", inbound),
  ...rulesRoutes("receipts", receipts),
  ...rulesRoutes("voice_receipts", receipts),
];
