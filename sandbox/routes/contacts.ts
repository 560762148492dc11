import { badRequest, fail, ok, type SandboxResponse } from "../envelope.js";
import { toE164 } from "../messaging.js";
import { paginate } from "../pagination.js";
import { bodyOf, pageOf, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import { type Contact, now, type SandboxState } from "../state.js";
import { withList } from "./lists.js";

/** The fields a client may set, all strings (clicksend-api.md §8.7). */
export const FIELDS = [
  "phone_number",
  "email",
  "fax_number",
  "first_name",
  "last_name",
  "organization_name",
  "address_line_1",
  "address_line_2",
  "address_city",
  "address_state",
  "address_postal_code",
  "address_country",
  "custom_1",
  "custom_2",
  "custom_3",
  "custom_4",
] as const;
const NUMBERS = new Set(["phone_number", "fax_number"]);

/** The sandbox account's default country (GET account), for numbers given without one. */
const DEFAULT_COUNTRY = "AU";

const contactNotFound = () => fail(404, "NOT_FOUND", "Contact record not found.");

/** The contact object as ClickSend returns it, with its list's name. */
const view = (state: SandboxState, contact: Contact) => ({
  ...contact,
  _list_name: state.lists.find((l) => l.list_id === contact.list_id)?.list_name ?? null,
});

/**
 * Runs fn with the known fields of the body; numbers are stored in E.164, a national number read
 * with address_country (the body's, else the contact's, else the account's).
 */
function withContactFields(
  req: SandboxRequest,
  fn: (fields: Partial<Contact>) => SandboxResponse,
  country: string | null = null,
): SandboxResponse {
  const body = bodyOf(req);
  const countryOf = typeof body.address_country === "string" ? body.address_country : country;
  const fields: Record<string, string | null> = {};
  const errors: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== "string") errors[field] = `${field} must be a string.`;
    else
      fields[field] =
        value && NUMBERS.has(field) ? toE164(value, countryOf ?? DEFAULT_COUNTRY) : value;
  }
  if (Object.keys(errors).length) return badRequest("Invalid input.", errors);
  return fn(fields as Partial<Contact>);
}

/** Runs fn for a contact of the path's list; a wrong contact, or one of another list, is 404. */
const withContact = (req: SandboxRequest, fn: (contact: Contact) => SandboxResponse) =>
  withList(req, (list) =>
    withItem(
      req.state.contacts.find(
        (c) => c.list_id === list.list_id && String(c.contact_id) === req.params.contact_id,
      ),
      contactNotFound,
      fn,
    ),
  );

/** The fields GET search/contacts-lists looks in: a keyword matches any of them. */
const SEARCHED = FIELDS.filter((f) => !f.startsWith("address_") && f !== "fax_number");

/** Contacts of every list with a field containing each word of q (case-insensitive). */
function searchContacts(state: SandboxState, q: string): Contact[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return state.contacts.filter((c) =>
    words.every((word) =>
      SEARCHED.some((f) =>
        String(c[f] ?? "")
          .toLowerCase()
          .includes(word),
      ),
    ),
  );
}

export const contactRoutes: Route[] = [
  route("GET", "search/contacts-lists", (req) => {
    const q = req.query.get("q")?.trim();
    if (!q) return badRequest("Invalid input.", { q: "The q field is required." });
    const found = searchContacts(req.state, q).map((c) => view(req.state, c));
    return ok("Here are your data.", paginate(found, req.query, req.url));
  }),
  route("GET", "lists/:list_id/contacts", (req) =>
    withList(req, (list) => {
      const after = Number(req.query.get("updated_after") ?? Number.NaN);
      const contacts = req.state.contacts.filter(
        (c) => c.list_id === list.list_id && (Number.isNaN(after) || c.date_updated > after),
      );
      return pageOf(
        req,
        contacts.map((c) => view(req.state, c)),
      );
    }),
  ),
  route("POST", "lists/:list_id/contacts", (req) =>
    withList(req, (list) =>
      withContactFields(req, (fields) => {
        if (!fields.phone_number && !fields.email && !fields.fax_number) {
          return badRequest("Invalid input.", {
            phone_number: "At least one of phone_number, email or fax_number is required.",
          });
        }
        const contact = req.state.createContact(list.list_id, fields);
        return ok("New contact has been created.", view(req.state, contact));
      }),
    ),
  ),
  route("GET", "lists/:list_id/contacts/:contact_id", (req) =>
    withContact(req, (contact) => ok("Here are your data.", view(req.state, contact))),
  ),
  route("PUT", "lists/:list_id/contacts/:contact_id", (req) =>
    withContact(req, (contact) =>
      withContactFields(
        req,
        (fields) => {
          Object.assign(contact, fields, { date_updated: now() });
          return ok(`Contact #${contact.contact_id} has been updated.`, view(req.state, contact));
        },
        contact.address_country,
      ),
    ),
  ),
  route("DELETE", "lists/:list_id/contacts/:contact_id", (req) =>
    withContact(req, (contact) => {
      req.state.contacts = req.state.contacts.filter((c) => c !== contact);
      return ok(`Contact #${contact.contact_id} has been deleted.`, []);
    }),
  ),
];
