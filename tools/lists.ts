import * as z from "zod";
import { defineTool } from "../src/define-tool.js";
import { path } from "../src/path.js";
import { fenceField } from "../src/untrusted.js";
import { CREATE, DELETE, READ, UPDATE } from "./annotations.js";
import { listIds } from "./ids.js";
import { id, nonBlank, pageInput } from "./inputs.js";
import { searchInput } from "./search.js";

interface ContactList {
  list_id: number;
  list_name: string;
  list_email_id?: string;
  _contacts_count?: number;
  _import_in_progress?: number;
  _optout_in_progress?: number;
}

export const listId = id("Contact list id (list_contact_lists)");
const listName = nonBlank.describe("List name");

/** What an agent needs of a list: no email-to-SMS id, busy flags only when set. */
function trimList(list: ContactList) {
  return {
    list_id: list.list_id,
    list_name: fenceField(list.list_name),
    contacts_count: list._contacts_count,
    ...(Number(list._import_in_progress) ? { import_in_progress: true } : {}),
    ...(Number(list._optout_in_progress) ? { optout_in_progress: true } : {}),
  };
}

export const listContactLists = defineTool({
  name: "list_contact_lists",
  toolset: "lists",
  title: "List contact lists",
  description:
    "List contact lists with their contact counts. Not for the contacts in a list (list_contacts).",
  input: z.strictObject({
    ...pageInput,
    ...searchInput({ q: ["list_name"], order: ["list_id", "list_name"], text: "list_name" }),
  }),
  annotations: READ,
  ids: listIds,
  run: (args, ctx) => ctx.client.page("lists", args, trimList),
});

export const getContactList = defineTool({
  name: "get_contact_list",
  toolset: "lists",
  title: "Get contact list",
  description: "Get one contact list and its contact count.",
  input: z.strictObject({ list_id: listId }),
  annotations: READ,
  ids: listIds,
  run: async ({ list_id }, { client }) =>
    trimList(await client.get<ContactList>(path`lists/${list_id}`)),
});

export const createContactList = defineTool({
  name: "create_contact_list",
  toolset: "lists",
  title: "Create contact list",
  description: "Create an empty contact list; add people to it with create_contact.",
  input: z.strictObject({ list_name: listName }),
  annotations: CREATE,
  ids: listIds,
  run: async (args, ctx) => trimList(await ctx.client.post<ContactList>("lists", args)),
});

export const updateContactList = defineTool({
  name: "update_contact_list",
  toolset: "lists",
  title: "Rename contact list",
  description: "Rename a contact list.",
  input: z.strictObject({ list_id: listId, list_name: listName }),
  annotations: UPDATE,
  ids: listIds,
  run: async ({ list_id, list_name }, ctx) =>
    trimList(await ctx.client.put<ContactList>(path`lists/${list_id}`, { list_name })),
});

export const deleteContactList = defineTool({
  name: "delete_contact_list",
  toolset: "lists",
  title: "Delete contact list",
  description: "Delete a contact list and every contact in it, for good.",
  input: z.strictObject({ list_id: listId }),
  annotations: DELETE,
  ids: listIds,
  run: ({ list_id }, ctx) =>
    ctx.client.delete(path`lists/${list_id}`).then(() => ({ deleted: { list_id } })),
});
