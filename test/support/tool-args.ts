/**
 * A valid set of arguments for every tool of the registry, shared by the fuzz, fault-matrix,
 * protocol and soak tests. Each call of an entry gives fresh arguments: a distinct body for
 * sends and a resource of its own for updates and deletes, so a call never depends on what an
 * earlier (possibly faulted) call did. The fault matrix fails when a tool has no entry here.
 */
import { replyTo } from "../../sandbox/replies.js";
import type { AutomationRules, OutboundMessage, SandboxState } from "../../sandbox/state.js";
import { messageId, now } from "../../sandbox/state.js";

/** ClickSend's test numbers: always accepted, never charged. */
export const TEST_TO = ["+61411111111", "+61422222222", "+61433333333", "+61444444444"] as const;

/**
 * An SMS put straight into the sandbox's history as its first user's, delivered unless `fields`
 * say otherwise: for tests that need a message without sending one.
 */
export function addSms(
  state: SandboxState,
  fields: Partial<OutboundMessage> & Pick<OutboundMessage, "to" | "body">,
): OutboundMessage {
  const user = state.users[0];
  if (!user) throw new Error("the sandbox has no user");
  const at = now();
  const message: OutboundMessage = {
    channel: "sms",
    message_id: messageId(),
    user_id: user.user_id,
    subaccount_id: user.subaccount_id,
    from: null,
    date: at,
    schedule: at,
    status: "Sent",
    status_code: "201",
    status_text: "Delivered",
    message_parts: 1,
    message_price: "0.0792",
    custom_string: "",
    list_id: null,
    contact_id: null,
    country: "AU",
    carrier: "Telstra",
    source: "test",
    test_number: false,
    ...fields,
  };
  state.messages.push(message);
  return message;
}

/** Where arguments get ids from. */
export interface Fixture {
  /** A number unique to this call. */
  n(): number;
  /** A list that stays (reads, sends, creates). */
  listId(): number;
  /** A contact that stays. */
  contact(): { list_id: number; contact_id: number };
  /** Resources of their own, for updates and deletes. */
  freshListId(): number;
  freshContact(): { list_id: number; contact_id: number };
  freshTemplateId(): number;
  freshEmailAddressId(): number;
  /** An SMS scheduled for later, so it can be cancelled. */
  freshScheduledSmsId(): string;
  /**
   * A delivered SMS of its own, dated days ago and before every earlier one: history read from
   * its date has it first, so a look at it reads one page however much else was sent.
   */
  deliveredSms(): { message_id: string; date: number };
  /** An SMS that stays, delivered to a sandbox number that replies: it has a receipt and a reply. */
  repliedSms(): { message_id: string; reply_id: string };
  /** Disables the account's POLL rules of a kind, so that creating one makes a request. */
  withoutPollRule(kind: keyof AutomationRules): void;
  /** A voice call scheduled for later, so it can be cancelled. */
  freshScheduledVoiceId(): string;
}

/** A fixture that creates what it needs directly in an in-process sandbox's state. */
export function stateFixture(state: SandboxState): Fixture {
  let counter = 0;
  const n = () => ++counter;
  const [list] = state.lists;
  const stay = state.contacts.find((c) => c.list_id === list?.list_id);
  if (!list || !stay) throw new Error("the sandbox has no seeded list and contact");
  const user = state.users[0];
  if (!user) throw new Error("the sandbox has no user");
  let replied: { message_id: string; reply_id: string } | undefined;
  const scheduled = (channel: OutboundMessage["channel"]) =>
    addSms(state, {
      channel,
      to: TEST_TO[0],
      body: `Scheduled ${n()}`,
      schedule: now() + 86_400,
      status: "Scheduled",
      status_code: null,
      status_text: null,
      message_parts: 0,
      message_price: "0.0000",
      test_number: true,
    }).message_id;
  return {
    n,
    listId: () => list.list_id,
    contact: () => ({ list_id: stay.list_id, contact_id: stay.contact_id }),
    freshListId: () => state.createList(`Fixture ${n()}`).list_id,
    freshContact: () => {
      const contact = state.createContact(list.list_id, { phone_number: TEST_TO[0] });
      return { list_id: contact.list_id, contact_id: contact.contact_id };
    },
    freshTemplateId: () => {
      const template_id = state.nextId("template");
      state.templates.push({ template_id, template_name: `Fixture ${n()}`, body: "Hi" });
      return template_id;
    },
    freshEmailAddressId: () => {
      const email_address_id = state.nextId("email");
      state.emailAddresses.push({
        email_address_id,
        email_address: `fixture${n()}@example.com`,
        verified: 0,
        date_added: String(now()),
      });
      return email_address_id;
    },
    freshScheduledSmsId: () => scheduled("sms"),
    freshScheduledVoiceId: () => scheduled("voice"),
    deliveredSms: () => {
      const date = now() - 3 * 86_400 - n();
      return addSms(state, { to: TEST_TO[0], body: "Delivered", date, schedule: date });
    },
    repliedSms: () => {
      if (!replied) {
        const { message_id } = addSms(state, {
          to: "+61491570156",
          from: "+61447254068",
          body: "Confirm for 10am?",
        });
        const reply = replyTo(state, user.user_id, message_id);
        if (!reply) throw new Error("the sandbox's reply number did not reply");
        replied = { message_id, reply_id: reply.message_id };
      }
      return replied;
    },
    withoutPollRule: (kind) => {
      for (const rule of state.rulesOf(user.user_id)[kind]) {
        if (rule.action === "POLL") rule.enabled = 0;
      }
    },
  };
}

type Args = Record<string, unknown>;

const to = (f: Fixture) => TEST_TO[f.n() % TEST_TO.length];
const lookAt = ({ message_id, date }: { message_id: string; date: number }) => ({
  message_ids: [message_id],
  since: date,
});

/** Valid arguments per tool name. */
export const VALID_ARGS: Record<string, (f: Fixture) => Args> = {
  get_account: () => ({}),
  list_countries: () => ({ q: "au" }),
  send_sms: (f) => ({ messages: [{ to: to(f), body: `Reliability SMS ${f.n()}` }] }),
  preview_sms: (f) => ({ messages: [{ to: to(f), body: `Preview SMS ${f.n()}` }] }),
  list_sms_history: () => ({ limit: 15 }),
  cancel_scheduled_sms: (f) => ({ message_id: f.freshScheduledSmsId() }),
  list_inbound_sms: () => ({}),
  get_inbound_sms: (f) => ({ original_message_id: f.repliedSms().message_id }),
  get_conversation: (f) => {
    f.repliedSms();
    return { phone_number: "+61491570156" };
  },
  list_conversations: () => ({}),
  mark_inbound_sms_read: (f) => ({ message_id: f.repliedSms().reply_id }),
  list_delivery_receipts: () => ({}),
  get_delivery_receipt: (f) => ({ message_id: f.repliedSms().message_id }),
  mark_delivery_receipts_read: () => ({ date_before: 1_700_000_000 }),
  list_automation_rules: () => ({ kind: "inbound" }),
  create_automation_rule: (f) => {
    f.withoutPollRule("receipts");
    return { kind: "receipts", rule_name: `Poll ${f.n()}` };
  },
  get_send_status: (f) => lookAt(f.deliveredSms()),
  await_delivery: (f) => ({ ...lookAt(f.deliveredSms()), timeout_s: 5 }),
  list_templates: () => ({ page: 1 }),
  create_template: (f) => ({ template_name: `Template ${f.n()}`, body: "Hello [first_name]" }),
  update_template: (f) => ({
    template_id: f.freshTemplateId(),
    template_name: `Renamed ${f.n()}`,
    body: "Hi again",
  }),
  delete_template: (f) => ({ template_id: f.freshTemplateId() }),
  send_mms: (f) => ({
    media_file: "https://example.com/picture.jpg",
    messages: [{ to: to(f), subject: "Hi", body: `Reliability MMS ${f.n()}` }],
  }),
  list_mms_history: () => ({}),
  preview_mms: (f) => ({
    media_file: "https://example.com/picture.jpg",
    messages: [{ to: to(f), subject: "Hi", body: `Preview MMS ${f.n()}` }],
  }),
  send_voice: (f) => ({
    messages: [{ to: to(f), body: `Reliability call ${f.n()}`, voice: "female" }],
  }),
  list_voice_languages: () => ({}),
  mark_voice_receipts_read: () => ({ date_before: 1_700_000_000 }),
  // A 1x1 GIF.
  upload_media: () => ({ content: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" }),
  preview_voice: (f) => ({
    messages: [{ to: to(f), body: `Preview call ${f.n()}`, voice: "female" }],
  }),
  list_contact_lists: () => ({}),
  get_contact_list: (f) => ({ list_id: f.listId() }),
  create_contact_list: (f) => ({ list_name: `List ${f.n()}` }),
  update_contact_list: (f) => ({ list_id: f.freshListId(), list_name: `Renamed ${f.n()}` }),
  delete_contact_list: (f) => ({ list_id: f.freshListId() }),
  list_contacts: (f) => ({ list_id: f.listId(), limit: 20 }),
  get_contact: (f) => f.contact(),
  create_contact: (f) => ({ list_id: f.listId(), phone_number: to(f), first_name: `P${f.n()}` }),
  update_contact: (f) => ({ ...f.freshContact(), last_name: `L${f.n()}` }),
  delete_contact: (f) => f.freshContact(),
  list_email_addresses: () => ({}),
  create_email_address: (f) => ({ email_address: `new${f.n()}@example.com` }),
  delete_email_address: (f) => ({ email_address_id: f.freshEmailAddressId() }),
  list_voice_history: () => ({ order_by: "date_added:desc" }),
  list_voice_receipts: () => ({}),
  cancel_scheduled_voice: (f) => ({ message_id: f.freshScheduledVoiceId() }),
  search_contacts: () => ({ q: "john" }),
  delete_opted_out_contacts: (f) => ({ list_id: f.freshListId() }),
  list_sender_ids: () => ({}),
  get_sms_statistics: () => ({}),
};

/** Fresh valid arguments for a tool; throws when the table has no entry for it. */
export function validArgs(name: string, fixture: Fixture): Args {
  const make = VALID_ARGS[name];
  if (!make) throw new Error(`test/support/tool-args.ts has no valid arguments for ${name}`);
  return make(fixture);
}
