import * as z from "zod";
import type { RequestClient } from "../src/client/client.js";
import { path } from "../src/client/path.js";
import { UserInputError } from "../src/errors.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fenceField } from "../src/tool/untrusted.js";
import { numberOf } from "../src/values.js";
import { CREATE, DELETE, READ, UPDATE } from "./annotations.js";
import { listIds } from "./ids.js";
import { id, nonBlank, pageInput } from "./inputs.js";
import { optionalText, pageOf } from "./outputs.js";
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

const listOutput = z.object({
  list_id: z.number(),
  list_name: optionalText,
  contacts_count: z.number().optional(),
  import_in_progress: z.boolean().optional(),
  optout_in_progress: z.boolean().optional(),
});

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
  input: () =>
    z.strictObject({
      ...pageInput,
      ...searchInput({ q: ["list_name"], order: ["list_id", "list_name"], text: "list_name" }),
    }),
  annotations: READ,
  ids: listIds,
  output: pageOf(listOutput),
  run: (args, ctx) => ctx.client.page("lists", args, trimList),
});

export const getContactList = defineTool({
  name: "get_contact_list",
  toolset: "lists",
  title: "Get contact list",
  description: "Get one contact list and its contact count.",
  input: () => z.strictObject({ list_id: listId }),
  annotations: READ,
  ids: listIds,
  output: listOutput,
  run: async ({ list_id }, { client }) =>
    trimList(await client.get<ContactList>(path`lists/${list_id}`)),
});

export const createContactList = defineTool({
  name: "create_contact_list",
  toolset: "lists",
  title: "Create contact list",
  description: "Create an empty contact list; add people to it with create_contact.",
  input: () => z.strictObject({ list_name: listName }),
  annotations: CREATE,
  ids: listIds,
  output: listOutput,
  run: async (args, ctx) => trimList(await ctx.client.post<ContactList>("lists", args)),
});

export const updateContactList = defineTool({
  name: "update_contact_list",
  toolset: "lists",
  title: "Rename contact list",
  description: "Rename a contact list.",
  input: () => z.strictObject({ list_id: listId, list_name: listName }),
  annotations: UPDATE,
  ids: listIds,
  output: listOutput,
  run: async ({ list_id, list_name }, ctx) =>
    trimList(await ctx.client.put<ContactList>(path`lists/${list_id}`, { list_name })),
});

export const deleteContactList = defineTool({
  name: "delete_contact_list",
  toolset: "lists",
  title: "Delete contact list",
  description: "Delete a contact list and every contact in it, for good.",
  input: () => z.strictObject({ list_id: listId }),
  annotations: DELETE,
  ids: listIds,
  output: z.object({ deleted: z.object({ list_id: z.int() }) }),
  run: ({ list_id }, ctx) =>
    ctx.client.delete(path`lists/${list_id}`).then(() => ({ deleted: { list_id } })),
});

/** "Opt Out" as ClickSend names it, and the spellings people give such a list. */
const OPT_OUT_NAMES = ["optout", "optouts", "optoutlist"];
const optOutRank = (name: string) =>
  OPT_OUT_NAMES.indexOf(name.toLowerCase().replace(/[^a-z]/g, ""));

/** Every list, all pages, that q finds. */
async function allLists(client: RequestClient, q?: string): Promise<ContactList[]> {
  const lists: ContactList[] = [];
  for (let page = 1; ; page++) {
    const found = await client.page<ContactList>("lists", { q, page, limit: 100 });
    lists.push(...found.items);
    if (!found.has_more) return lists;
  }
}

const optOutOf = (lists: ContactList[]) =>
  lists
    .filter((list) => optOutRank(list.list_name) >= 0)
    .sort((a, b) => optOutRank(a.list_name) - optOutRank(b.list_name))[0];

/**
 * The account's opt-out list: ClickSend's default inbound rule moves people who reply "Stop" to a
 * list named "Opt Out". Searched by that name first; as ClickSend's q matching is not documented,
 * every list is read when the search finds none. Undefined when no list has such a name.
 */
export async function findOptOutList(client: RequestClient): Promise<ContactList | undefined> {
  return optOutOf(await allLists(client, "list_name:Opt Out")) ?? optOutOf(await allLists(client));
}

export const deleteOptedOutContacts = defineTool({
  name: "delete_opted_out_contacts",
  toolset: "lists",
  title: "Delete opted-out contacts",
  description:
    "Delete, for good, the contacts of a list who are on the opt-out list (replied Stop).",
  input: () =>
    z.strictObject({
      list_id: listId.describe("The list to clean (list_contact_lists)"),
      opt_out_list_id: id("The opt-out list; default: the list named Opt Out").optional(),
    }),
  annotations: DELETE,
  ids: listIds,
  output: z.object({
    list_id: z.int(),
    opt_out_list: z.object({ list_id: z.number(), list_name: optionalText }),
    deleted: z.number(),
  }),
  run: async ({ list_id, opt_out_list_id }, { client }) => {
    const optOut =
      opt_out_list_id === undefined
        ? await findOptOutList(client)
        : { list_id: opt_out_list_id, list_name: undefined };
    if (!optOut) {
      throw new UserInputError(
        "The account has no list named Opt Out: give opt_out_list_id (find it with list_contact_lists).",
        ["opt_out_list_id"],
      );
    }
    if (optOut.list_id === list_id) {
      throw new UserInputError("list_id is the opt-out list itself: give the list to clean.", [
        "list_id",
      ]);
    }
    const data = await client.put<{ deleted?: number | string }>(
      path`lists/${list_id}/remove-opted-out-contacts/${optOut.list_id}`,
    );
    return {
      list_id,
      opt_out_list: { list_id: optOut.list_id, list_name: fenceField(optOut.list_name) },
      deleted: numberOf(data?.deleted) ?? 0,
    };
  },
});
