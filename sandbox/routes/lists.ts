import { listForbidden, ok, type SandboxResponse } from "../envelope.js";
import { findById, pageOf, withFields, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import type { ContactList } from "../state.js";

const REQUIRED = { list_name: "List name" };

/**
 * Runs fn for the list named by the list_id path parameter. Any other list_id is 403, as live
 * for list-scoped contact operations; the bare /lists/{bad} was not captured (§8.4).
 */
export const withList = (req: SandboxRequest, fn: (list: ContactList) => SandboxResponse) =>
  withItem(findById(req.state.lists, "list_id", req.params.list_id), listForbidden, fn);

export const listRoutes: Route[] = [
  route("GET", "lists", (req) =>
    pageOf(
      req,
      req.state.lists.map((list) => req.state.listView(list)),
    ),
  ),
  route("POST", "lists", (req) =>
    withFields(req, REQUIRED, ({ list_name }) =>
      ok("New list has been created.", req.state.listView(req.state.createList(list_name))),
    ),
  ),
  route("GET", "lists/:list_id", (req) =>
    withList(req, (list) => ok("Here are your data.", req.state.listView(list))),
  ),
  route("PUT", "lists/:list_id", (req) =>
    withList(req, (list) =>
      withFields(req, REQUIRED, ({ list_name }) => {
        list.list_name = list_name;
        return ok(`List #${list.list_id} has been updated.`, req.state.listView(list));
      }),
    ),
  ),
  // Contacts of the list whose number is on the opt-out list go, for good (§15).
  route("PUT", "lists/:list_id/remove-opted-out-contacts/:opt_out_list_id", (req) =>
    withList(req, (list) =>
      withItem(
        findById(req.state.lists, "list_id", req.params.opt_out_list_id),
        listForbidden,
        (optOut) => {
          const numbers = new Set(
            req.state.contacts
              .filter((c) => c.list_id === optOut.list_id && c.phone_number)
              .map((c) => c.phone_number),
          );
          const before = req.state.contacts.length;
          req.state.contacts = req.state.contacts.filter(
            (c) => c.list_id !== list.list_id || !numbers.has(c.phone_number),
          );
          return ok("Opted out contacts have been removed.", {
            deleted: before - req.state.contacts.length,
          });
        },
      ),
    ),
  ),
  route("DELETE", "lists/:list_id", (req) =>
    withList(req, (list) => {
      req.state.lists = req.state.lists.filter((l) => l !== list);
      // The list's contacts go with it.
      req.state.contacts = req.state.contacts.filter((c) => c.list_id !== list.list_id);
      return ok(`List #${list.list_id} has been deleted.`, []);
    }),
  ),
];
