import { badRequest, fail, ok, type SandboxResponse } from "../envelope.js";
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

const contactNotFound = () => fail(404, "NOT_FOUND", "Contact record not found.");

/** The contact object as ClickSend returns it, with its list's name. */
const view = (state: SandboxState, contact: Contact) => ({
  ...contact,
  _list_name: state.lists.find((l) => l.list_id === contact.list_id)?.list_name ?? null,
});

/** Runs fn with the known fields of the body; numbers keep what was given, minus punctuation. */
function withContactFields(
  req: SandboxRequest,
  fn: (fields: Partial<Contact>) => SandboxResponse,
): SandboxResponse {
  const body = bodyOf(req);
  const fields: Record<string, string | null> = {};
  const errors: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== "string") errors[field] = `${field} must be a string.`;
    else fields[field] = value && NUMBERS.has(field) ? value.replace(/[\s().-]/g, "") : value;
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

export const contactRoutes: Route[] = [
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
      withContactFields(req, (fields) => {
        Object.assign(contact, fields, { date_updated: now() });
        return ok(`Contact #${contact.contact_id} has been updated.`, view(req.state, contact));
      }),
    ),
  ),
  route("DELETE", "lists/:list_id/contacts/:contact_id", (req) =>
    withContact(req, (contact) => {
      req.state.contacts = req.state.contacts.filter((c) => c !== contact);
      return ok(`Contact #${contact.contact_id} has been deleted.`, []);
    }),
  ),
];
