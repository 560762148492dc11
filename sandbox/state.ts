import { randomUUID } from "node:crypto";

export const TEST_ACCOUNT_KEY = "D83DED51-9E35-4D42-9BB9-0E34B7CA85AE";

/** ClickSend's documented test numbers: always SUCCESS, never charged, nothing delivered. */
export const TEST_NUMBERS = new Set([
  "+61411111111",
  "+61422222222",
  "+61433333333",
  "+61444444444",
  "+14055555555",
  "+14055555666",
  "+447777777777",
  "+8615555555555",
]);

export interface SandboxUser {
  user_id: number;
  subaccount_id: number;
  username: string;
  apiKey: string;
  /** Account balance in the account currency. */
  balance: number;
  status: "active" | "notactive" | "banned";
}

export interface ContactList {
  list_id: number;
  list_name: string;
  list_email_id: string;
}

export interface Contact {
  contact_id: number;
  list_id: number;
  phone_number: string | null;
  first_name: string | null;
  last_name: string | null;
  custom_1: string;
  custom_2: string;
  custom_3: string;
  custom_4: string;
  email: string | null;
  fax_number: string | null;
  organization_name: string | null;
  address_line_1: string | null;
  address_line_2: string | null;
  address_city: string | null;
  address_state: string | null;
  address_postal_code: string | null;
  address_country: string | null;
  date_added: number;
  date_updated: number;
}

export interface Template {
  template_id: number;
  template_name: string;
  body: string;
}

export interface EmailAddress {
  email_address_id: number;
  email_address: string;
  verified: 0 | 1;
  date_added: string;
}

/**
 * SMS automation rules (clicksend-api.md §5, §15). ClickSend lists replies and receipts only
 * while an enabled rule with action POLL exists; the sandbox keeps them per account.
 */
export interface InboundRule {
  inbound_rule_id: number;
  /** A dedicated number, or "*" for every number of the account. */
  dedicated_number: string;
  rule_name: string;
  /** 0 any message, 1 starts with, 2 contains, 3 does not contain the search term. */
  message_search_type: number;
  message_search_term: string;
  action: string;
  action_address: string;
  enabled: number;
  webhook_type: string | null;
}

export interface ReceiptRule {
  receipt_rule_id: number;
  rule_name: string;
  /** 0 is all reports, the only value ClickSend documents. */
  match_type: number;
  action: string;
  action_address: string;
  enabled: number;
}

export interface AutomationRules {
  inbound: InboundRule[];
  receipts: ReceiptRule[];
  /** automations/voice/receipts: the same DeliveryReceiptRule model (S3). */
  voice_receipts: ReceiptRule[];
}

export interface StateOptions {
  /**
   * Give the main account POLL rules for replies and receipts (default true), as the demo
   * needs; false opens it like a new ClickSend account, where both lists stay empty.
   */
  pollRules?: boolean;
}

/** A message ClickSend accepted (status SUCCESS at send time); kept for history and for tests. */
export interface OutboundMessage {
  channel: "sms" | "mms" | "voice";
  message_id: string;
  user_id: number;
  subaccount_id: number;
  to: string;
  from: string | null;
  body: string;
  subject?: string;
  media_file?: string;
  voice?: string;
  lang?: string;
  require_input?: number;
  machine_detection?: number;
  /** A call's outcome (sandbox/voice.ts): what it reached, a machine or not, the keys pressed. */
  to_type?: string;
  machine_detected?: number;
  digits?: string;
  /** Voice: its receipt was marked read (PUT voice/receipts-read). */
  receipt_read?: boolean;
  /** SMS and MMS: the allowed email address replies are also sent to. */
  from_email?: string | null;
  date: number;
  schedule: number;
  status: string;
  status_code: string | null;
  status_text: string | null;
  /** The network's reason when delivery failed. */
  error_text?: string | null;
  message_parts: number;
  message_price: string;
  custom_string: string;
  list_id: number | null;
  contact_id: number | null;
  country: string;
  carrier: string;
  source: string;
  test_number: boolean;
}

export const now = () => Math.floor(Date.now() / 1000);
export const messageId = () => randomUUID().toUpperCase();

function listEmailId(seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let out = "";
  let x = seed * 2654435761;
  for (let i = 0; i < 16; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

const SEED_CONTACTS: Array<[string, string, string, string | null]> = [
  ["+61411111111", "Ellen", "Diaz", "ellen@example.com"],
  ["+61422222222", "John", "Doe", "john@example.com"],
  ["+61433333333", "Priya", "Natarajan", null],
  ["+61444444444", "Tom", "Nguyen", "tom@example.com"],
  ["+14055555555", "Maria", "Garcia", null],
  ["+14055555666", "Kenji", "Sato", "kenji@example.com"],
  ["+447777777777", "Olivia", "Brown", null],
  ["+8615555555555", "Wei", "Zhang", null],
  ["+61411111111", "Sam", "Taylor", "sam@example.com"],
  ["+61422222222", "Aisha", "Khan", null],
  ["+447777777777", "Liam", "Walsh", "liam@example.com"],
  ["+14055555555", "Noah", "Miller", null],
];

/** Replied "Stop" to the newsletter: on the Opt Out list and still in Newsletter. */
const OPTED_OUT = "+61400555123";
const NEWSLETTER: Array<[string, string, string]> = [
  ["+61400555121", "Hannah", "Reid"],
  ["+61400555122", "Marco", "Rossi"],
  [OPTED_OUT, "Grace", "Lee"],
];

/** In-memory ClickSend account data, seeded with demo content. */
export class SandboxState {
  readonly users: SandboxUser[];
  lists: ContactList[] = [];
  contacts: Contact[] = [];
  templates: Template[] = [];
  emailAddresses: EmailAddress[] = [];
  messages: OutboundMessage[] = [];
  /** Countries this account may send to (others give COUNTRY_NOT_ENABLED). */
  enabledCountries = new Set(["AU", "US", "GB", "NZ", "CA", "CN", "IN", "DE", "FR"]);
  private ids = {
    list: 2932036,
    contact: 1211152418,
    template: 587712,
    email: 1,
    inboundRule: 70411,
    receiptRule: 30872,
  };
  private readonly automations = new Map<number, AutomationRules>();

  constructor(credentials: { username: string; apiKey: string }, options: StateOptions = {}) {
    this.users = [
      { user_id: 116, subaccount_id: 126, ...credentials, balance: 25, status: "active" },
      {
        user_id: 117,
        subaccount_id: 127,
        username: "nocredit",
        apiKey: TEST_ACCOUNT_KEY,
        balance: 0,
        status: "active",
      },
      {
        user_id: 118,
        subaccount_id: 128,
        username: "notactive",
        apiKey: TEST_ACCOUNT_KEY,
        balance: 0,
        status: "notactive",
      },
      {
        user_id: 119,
        subaccount_id: 129,
        username: "banned",
        apiKey: TEST_ACCOUNT_KEY,
        balance: 0,
        status: "banned",
      },
    ];
    this.seed();
    const main = this.users[0];
    if (main && options.pollRules !== false) this.addPollRules(main.user_id);
  }

  nextId(kind: keyof SandboxState["ids"]): number {
    this.ids[kind] += 1;
    return this.ids[kind];
  }

  createList(list_name: string): ContactList {
    const list_id = this.nextId("list");
    const list = { list_id, list_name, list_email_id: listEmailId(list_id) };
    this.lists.push(list);
    return list;
  }

  createContact(list_id: number, fields: Partial<Contact>): Contact {
    const t = now();
    const contact: Contact = {
      phone_number: null,
      first_name: null,
      last_name: null,
      custom_1: "",
      custom_2: "",
      custom_3: "",
      custom_4: "",
      email: null,
      fax_number: null,
      organization_name: null,
      address_line_1: null,
      address_line_2: null,
      address_city: null,
      address_state: null,
      address_postal_code: null,
      address_country: null,
      ...fields,
      contact_id: this.nextId("contact"),
      list_id,
      date_added: t,
      date_updated: t,
    };
    this.contacts.push(contact);
    return contact;
  }

  /** The automation rules of one account (every account starts with none). */
  rulesOf(user_id: number): AutomationRules {
    let rules = this.automations.get(user_id);
    if (!rules) {
      rules = { inbound: [], receipts: [], voice_receipts: [] };
      this.automations.set(user_id, rules);
    }
    return rules;
  }

  /** The rules clicksend-api.md §5 gives for polling replies and receipts, and voice receipts. */
  addPollRules(user_id: number): void {
    const rules = this.rulesOf(user_id);
    rules.inbound.push({
      inbound_rule_id: this.nextId("inboundRule"),
      dedicated_number: "*",
      rule_name: "Poll replies",
      message_search_type: 0,
      message_search_term: "",
      action: "POLL",
      action_address: "poll",
      enabled: 1,
      webhook_type: null,
    });
    for (const [kind, rule_name] of [
      ["receipts", "Poll delivery receipts"],
      ["voice_receipts", "Poll voice receipts"],
    ] as const) {
      rules[kind].push({
        receipt_rule_id: this.nextId("receiptRule"),
        rule_name,
        match_type: 0,
        action: "POLL",
        action_address: "poll",
        enabled: 1,
      });
    }
  }

  /** The list object as ClickSend returns it, with its live counters. */
  listView(list: ContactList) {
    return {
      ...list,
      _contacts_count: this.contacts.filter((c) => c.list_id === list.list_id).length,
      _import_in_progress: 0,
      _optout_in_progress: 0,
    };
  }

  private seed(): void {
    const customers = this.createList("Customers");
    const staff = this.createList("Staff");
    SEED_CONTACTS.forEach(([phone_number, first_name, last_name, email], i) => {
      this.createContact(i < 8 ? customers.list_id : staff.list_id, {
        phone_number,
        first_name,
        last_name,
        email,
        custom_1: i % 3 === 0 ? "Gold" : "",
      });
    });
    // ClickSend's default inbound rule moves people who reply "Stop" to a list named "Opt Out";
    // they stay in the lists they were in, until remove-opted-out-contacts cleans those.
    const newsletter = this.createList("Newsletter");
    const optOut = this.createList("Opt Out");
    for (const [phone_number, first_name, last_name] of NEWSLETTER) {
      this.createContact(newsletter.list_id, { phone_number, first_name, last_name });
    }
    this.createContact(optOut.list_id, { phone_number: OPTED_OUT, first_name: "Grace" });
    this.templates.push(
      {
        template_id: this.nextId("template"),
        template_name: "Appointment reminder",
        body: "Hi [first_name], your appointment is tomorrow at 10am. Reply YES to confirm.",
      },
      {
        template_id: this.nextId("template"),
        template_name: "Order shipped",
        body: "Good news [first_name]: your order is on its way.",
      },
    );
    this.emailAddresses.push({
      email_address_id: this.nextId("email"),
      email_address: "alerts@example.com",
      verified: 1,
      date_added: String(now() - 86_400 * 30),
    });
  }
}
