import * as z from "zod";
import { path } from "../src/client/path.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fenceField, fenceFields } from "../src/tool/untrusted.js";
import { isoTime } from "../src/values.js";
import { CREATE, DELETE, READ, UPDATE } from "./annotations.js";
import { contactIds } from "./ids.js";
import { countryCode, email, id, pageInput, unixTime } from "./inputs.js";
import { listId } from "./lists.js";
import { loose, numberOrString, pageOf } from "./outputs.js";
import { searchInput } from "./search.js";
import { hasAny, omit } from "./shape.js";

type Contact = Record<string, unknown>;

const contactId = id("Contact id (list_contacts)");

const CUSTOM_FIELDS = ["custom_1", "custom_2", "custom_3", "custom_4"] as const;
const TEXT_FIELDS = [
  "first_name",
  "last_name",
  "organization_name",
  "address_line_1",
  "address_line_2",
  "address_city",
  "address_state",
  "address_postal_code",
  ...CUSTOM_FIELDS,
] as const;

const phone = z.string().min(1).max(40);

/** Phone and fax numbers as people type them, normalised to E.164 before anything is sent. */
async function withE164<
  F extends {
    phone_number?: string | undefined;
    fax_number?: string | undefined;
    address_country?: string | undefined;
  },
>(fields: F): Promise<F> {
  const { normalisePhone } = await import("../src/sending/phone.js");
  const out = { ...fields };
  for (const key of ["phone_number", "fax_number"] as const) {
    const value = fields[key];
    if (value !== undefined) out[key] = normalisePhone(key, value, fields.address_country).e164;
  }
  return out;
}

/** The contact fields, written once for create_contact and update_contact. */
const contactFields = {
  phone_number: phone.optional().describe("Mobile: E.164, or local with address_country"),
  email: email.optional(),
  fax_number: phone.optional().describe("Fax number, like phone_number"),
  ...(Object.fromEntries(
    TEXT_FIELDS.map((field) => [field, z.string().max(500).optional()]),
  ) as Record<(typeof TEXT_FIELDS)[number], z.ZodOptional<z.ZodString>>),
  address_country: countryCode("ISO alpha-2, e.g. AU").optional(),
};
const CONTACT_KEYS = Object.keys(contactFields);
const REACH = ["phone_number", "email", "fax_number"];

/**
 * ClickSend's bookkeeping an agent does not need; render drops nulls and empty custom fields.
 * Whoever added a contact wrote its fields: they reach the model fenced.
 */
const NOISE = ["_list_name", "date_added"];
const TIMES = ["date_updated"];
const trimContact = (contact: Contact) =>
  fenceFields(omit(contact, NOISE), TIMES) as z.input<typeof contactOutput>;
/** Page items all share the list_id the caller gave. */
const trimItem = (contact: Contact) =>
  fenceFields(omit(contact, [...NOISE, "list_id"]), TIMES) as z.input<typeof contactOutput>;

/**
 * A contact as results carry it: ClickSend's fields passed through (fenced), so the object is
 * open; the fields this server knows are typed loosely, as ClickSend gives them.
 */
const contactOutput = z.looseObject({
  contact_id: numberOrString.optional(),
  list_id: numberOrString.optional(),
  date_updated: z.string().optional(),
  ...(Object.fromEntries(
    [...REACH, ...TEXT_FIELDS, "address_country"].map((field) => [field, loose.optional()]),
  ) as Record<string, z.ZodOptional<typeof loose>>),
});

/** Contact times in ISO 8601 UTC, like every other time in results (ClickSend sends Unix seconds). */
const isoDates = (contact: Contact): Contact => ({
  ...contact,
  date_added: isoTime(contact.date_added),
  date_updated: isoTime(contact.date_updated),
});

const contactPath = (list_id: number, contact_id: number) =>
  path`lists/${list_id}/contacts/${contact_id}`;

export const listContacts = defineTool({
  name: "list_contacts",
  toolset: "contacts",
  title: "List contacts",
  description: "List the contacts of one contact list; q finds people by phone or email.",
  input: () =>
    z.strictObject({
      list_id: listId,
      ...pageInput,
      ...searchInput({
        q: ["phone_number", "email", "first_name", "last_name", ...CUSTOM_FIELDS],
        order: ["contact_id", "first_name", "last_name", "phone_number", "email", "date_updated"],
        phone: "phone_number",
        email: "email",
      }),
      updated_after: unixTime.optional().describe("Only contacts updated after this time"),
    }),
  annotations: READ,
  ids: contactIds,
  output: pageOf(contactOutput),
  run: ({ list_id, ...query }, ctx) =>
    ctx.client.page(path`lists/${list_id}/contacts`, query, (contact: Contact) =>
      trimItem(isoDates(contact)),
    ),
});

export const getContact = defineTool({
  name: "get_contact",
  toolset: "contacts",
  title: "Get contact",
  description: "Get one contact of a contact list.",
  input: () => z.strictObject({ list_id: listId, contact_id: contactId }),
  annotations: READ,
  ids: contactIds,
  output: contactOutput,
  run: async ({ list_id, contact_id }, { client }) =>
    trimContact(isoDates(await client.get<Contact>(contactPath(list_id, contact_id)))),
});

export const createContact = defineTool({
  name: "create_contact",
  toolset: "contacts",
  title: "Create contact",
  description:
    "Add a contact to a contact list. ClickSend allows duplicates: search with list_contacts first.",
  input: () =>
    z.strictObject({ list_id: listId, ...contactFields }).refine(hasAny(REACH), {
      message: "at least one of phone_number, email, fax_number is required",
      path: ["phone_number"],
    }),
  annotations: CREATE,
  ids: contactIds,
  output: contactOutput,
  run: async ({ list_id, ...fields }, ctx) =>
    trimContact(
      isoDates(
        await ctx.client.post<Contact>(path`lists/${list_id}/contacts`, await withE164(fields)),
      ),
    ),
});

export const updateContact = defineTool({
  name: "update_contact",
  toolset: "contacts",
  title: "Update contact",
  description: "Change some fields of a contact; fields left out keep their values.",
  input: () =>
    z
      .strictObject({ list_id: listId, contact_id: contactId, ...contactFields })
      .refine(hasAny(CONTACT_KEYS), {
        message: `give at least one field to change (${REACH.join(", ")}, first_name, ...)`,
      }),
  annotations: UPDATE,
  ids: contactIds,
  output: contactOutput,
  run: async ({ list_id, contact_id, ...fields }, ctx) =>
    trimContact(
      isoDates(
        await ctx.client.put<Contact>(contactPath(list_id, contact_id), await withE164(fields)),
      ),
    ),
});

export const deleteContact = defineTool({
  name: "delete_contact",
  toolset: "contacts",
  title: "Delete contact",
  description: "Delete a contact from its contact list, for good.",
  input: () => z.strictObject({ list_id: listId, contact_id: contactId }),
  annotations: DELETE,
  ids: contactIds,
  output: z.object({ deleted: z.object({ list_id: z.int(), contact_id: z.int() }) }),
  run: ({ list_id, contact_id }, ctx) =>
    ctx.client
      .delete(contactPath(list_id, contact_id))
      .then(() => ({ deleted: { list_id, contact_id } })),
});

/** A contact found across lists, shaped like get_contact's, with its list's name. */
const foundContact = ({ _list_name, ...contact }: Contact) => ({
  ...trimContact(isoDates(contact)),
  list_name: fenceField(_list_name),
});

export const searchContacts = defineTool({
  name: "search_contacts",
  toolset: "contacts",
  title: "Search contacts",
  description: "Find people by name, number or email across all contact lists.",
  input: () =>
    z.strictObject({
      q: z.string().trim().min(1).max(200).describe("Words to find, e.g. John or +61411"),
      ...pageInput,
    }),
  annotations: READ,
  output: pageOf(contactOutput.extend({ list_name: loose.optional() })),
  run: ({ q, page, limit }, { client }) =>
    client.page("search/contacts-lists", { q, page, limit }, foundContact),
});
