import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickSendApiError } from "../src/errors.js";
import {
  createContactList,
  deleteContactList,
  deleteOptedOutContacts,
  getContactList,
  listContactLists,
  updateContactList,
} from "../tools/lists.js";
import { answerWith, type Harness, harness } from "./support/harness.js";
import { failed, refused, succeeded } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const FORBIDDEN = "Resource not found or you don't have the permissions to access this resource.";

describe("list_contact_lists", () => {
  it("returns trimmed lists with their contact counts", async () => {
    const { data, text, request } = await succeeded(h, listContactLists, {});
    expect(request).toMatchObject({ method: "GET", path: "lists", query: {} });
    expect(data).toMatchObject({ page: 1, per_page: 15, has_more: false });
    const items = data.items as Array<Record<string, unknown>>;
    expect(items.find((l) => l.list_name === "Customers")).toEqual({
      list_id: expect.any(Number),
      list_name: "Customers",
      contacts_count: 8,
    });
    expect(text).not.toContain("list_email_id");
    expect(text).not.toContain("_in_progress");
  });

  it("searches by list_name", async () => {
    const { data, request } = await succeeded(h, listContactLists, { q: "list_name:staff" });
    expect(request.query).toEqual({ q: "list_name:staff" });
    expect(data).toMatchObject({ total: 1, items: [{ list_name: "Staff", contacts_count: 4 }] });
  });

  it("refuses unknown fields without a request", async () => {
    await refused(h, listContactLists, { name: "Staff" }, "unknown field name");
  });
});

describe("get_contact_list", () => {
  it("gets one list by id", async () => {
    const list = h.sandbox.state.createList("Get me");
    const { data, request } = await succeeded(h, getContactList, { list_id: list.list_id });
    expect(request).toMatchObject({ method: "GET", path: `lists/${list.list_id}` });
    expect(data).toEqual({
      list_id: list.list_id,
      list_name: "«Get me»",
      contacts_count: 0,
    });
  });

  it("shows an import or opt-out in progress only when there is one", async () => {
    answerWith(h, "lists/77", {
      list_id: 77,
      list_name: "Importing",
      list_email_id: "KB0LHD6WXFVHZWTR",
      _contacts_count: 3,
      _import_in_progress: 1,
      _optout_in_progress: 0,
    });
    const { data } = await succeeded(h, getContactList, { list_id: 77 });
    expect(data).toEqual({
      list_id: 77,
      list_name: "Importing",
      contacts_count: 3,
      import_in_progress: true,
    });
  });

  it("answers an unknown list with ClickSend's 403 and where to find list ids", async () => {
    const { text, request } = await failed(h, getContactList, { list_id: 999 });
    expect(request).toMatchObject({ path: "lists/999", status: 403 });
    expect(text).toContain(FORBIDDEN);
    expect(text).toContain("find list ids with list_contact_lists");
  });

  it("refuses a list_id that is not a positive integer without a request", async () => {
    await refused(h, getContactList, { list_id: "12" }, "list_id");
    await refused(h, getContactList, {}, "list_id");
  });
});

describe("create_contact_list", () => {
  it("posts the name and returns the new, empty list", async () => {
    const { data, request } = await succeeded(h, createContactList, { list_name: "VIPs" });
    expect(request).toMatchObject({ method: "POST", path: "lists", body: { list_name: "VIPs" } });
    expect(data).toEqual({ list_id: expect.any(Number), list_name: "VIPs", contacts_count: 0 });
    expect(h.sandbox.state.lists.some((l) => l.list_id === data.list_id)).toBe(true);
  });

  it("requires list_name, without a request", async () => {
    await refused(h, createContactList, {}, "list_name");
    await refused(h, createContactList, { list_name: " " }, "list_name");
  });

  it("the sandbox answers a missing list_name with 400 and a field map", async () => {
    const error = await h.client.post("lists", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error).toMatchObject({
      status: 400,
      fieldErrors: { list_name: "List name field is required." },
    });
  });
});

describe("update_contact_list", () => {
  it("renames a list", async () => {
    const list = h.sandbox.state.createList("Old");
    const { data, request } = await succeeded(h, updateContactList, {
      list_id: list.list_id,
      list_name: "New",
    });
    expect(request).toMatchObject({
      method: "PUT",
      path: `lists/${list.list_id}`,
      body: { list_name: "New" },
    });
    expect(data).toEqual({ list_id: list.list_id, list_name: "New", contacts_count: 0 });
  });

  it("refuses an update with nothing to change, without a request", async () => {
    await refused(h, updateContactList, { list_id: 1 }, "list_name");
  });

  it("answers an unknown list with 403", async () => {
    const { text, request } = await failed(h, updateContactList, {
      list_id: 999,
      list_name: "x",
    });
    expect(request.status).toBe(403);
    expect(text).toContain("list_contact_lists");
  });
});

describe("delete_contact_list", () => {
  it("deletes the list and its contacts and says what was deleted", async () => {
    const list = h.sandbox.state.createList("Doomed");
    h.sandbox.state.createContact(list.list_id, { phone_number: "+61411111111" });
    const { data, request } = await succeeded(h, deleteContactList, { list_id: list.list_id });
    expect(request).toMatchObject({ method: "DELETE", path: `lists/${list.list_id}` });
    expect(data).toEqual({ deleted: { list_id: list.list_id } });
    expect(h.sandbox.state.lists).not.toContain(list);
    expect(h.sandbox.state.contacts.filter((c) => c.list_id === list.list_id)).toEqual([]);

    const again = await failed(h, deleteContactList, { list_id: list.list_id });
    expect(again.request.status).toBe(403);
  });

  it("refuses a bad id without a request", async () => {
    await refused(h, deleteContactList, { list_id: -1 }, "list_id");
  });
});

describe("delete_opted_out_contacts", () => {
  const listNamed = (name: string) => {
    const list = h.sandbox.state.lists.find((l) => l.list_name === name);
    if (!list) throw new Error(`no seeded list ${name}`);
    return list;
  };
  const numbersOf = (listId: number) =>
    h.sandbox.state.contacts.filter((c) => c.list_id === listId).map((c) => c.phone_number);

  it("finds the Opt Out list by name, says it used it, and deletes its members from the list", async () => {
    const optOut = listNamed("Opt Out");
    const list = h.sandbox.state.createList("To clean");
    for (const phone_number of ["+61400555123", "+61400555124", "+61400555123"]) {
      h.sandbox.state.createContact(list.list_id, { phone_number });
    }
    const before = h.sandbox.requests.length;
    const { data } = await succeeded(h, deleteOptedOutContacts, { list_id: list.list_id });
    const requests = h.sandbox.requests.slice(before);
    expect(requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: "GET", path: "lists", query: { q: "list_name:Opt Out", page: "1", limit: "100" } },
      {
        method: "PUT",
        path: `lists/${list.list_id}/remove-opted-out-contacts/${optOut.list_id}`,
        query: {},
      },
    ]);
    expect(requests[1]?.body).toBeUndefined();
    expect(data).toEqual({
      list_id: list.list_id,
      opt_out_list: { list_id: optOut.list_id, list_name: "«Opt Out»" },
      deleted: 2,
    });
    expect(numbersOf(list.list_id)).toEqual(["+61400555124"]);
    expect(numbersOf(optOut.list_id)).toEqual(["+61400555123"]);
  });

  it("uses the opt-out list given, without looking one up", async () => {
    const stops = h.sandbox.state.createList("Stops from the web form");
    h.sandbox.state.createContact(stops.list_id, { phone_number: "+61400555131" });
    const list = h.sandbox.state.createList("Clean me");
    h.sandbox.state.createContact(list.list_id, { phone_number: "+61400555131" });
    const { data, request } = await succeeded(h, deleteOptedOutContacts, {
      list_id: list.list_id,
      opt_out_list_id: stops.list_id,
    });
    expect(request).toMatchObject({
      method: "PUT",
      path: `lists/${list.list_id}/remove-opted-out-contacts/${stops.list_id}`,
    });
    expect(data).toEqual({
      list_id: list.list_id,
      opt_out_list: { list_id: stops.list_id },
      deleted: 1,
    });
  });

  it("refuses to clean the opt-out list itself, without a write", async () => {
    const optOut = listNamed("Opt Out");
    const writes = () => h.sandbox.requests.filter((r) => r.method !== "GET").length;
    const before = writes();
    for (const args of [{ list_id: optOut.list_id }, { list_id: 5, opt_out_list_id: 5 }]) {
      const result = await h.call(deleteOptedOutContacts, args);
      expect(result.isError).toBe(true);
    }
    expect(writes()).toBe(before);
    await refused(
      h,
      deleteOptedOutContacts,
      { list_id: 5, opt_out_list_id: 5 },
      "list_id is the opt-out list itself",
    );
  });

  it("reads every list when the search by name finds none, and takes an Opt-Out list too", async () => {
    const optOut = listNamed("Opt Out");
    optOut.list_name = "OPT-OUT";
    try {
      // As if ClickSend's q matched names exactly.
      answerWith(h, "lists", { total: 0, per_page: 100, current_page: 1, last_page: 1, data: [] });
      const before = h.sandbox.requests.length;
      const { data } = await succeeded(h, deleteOptedOutContacts, {
        list_id: listNamed("Staff").list_id,
      });
      expect(h.sandbox.requests.slice(before, -1).map((r) => r.query)).toEqual([
        { q: "list_name:Opt Out", page: "1", limit: "100" },
        { page: "1", limit: "100" },
      ]);
      expect(data).toMatchObject({
        opt_out_list: { list_id: optOut.list_id, list_name: "OPT-OUT" },
      });
    } finally {
      optOut.list_name = "Opt Out";
    }
  });

  it("asks for opt_out_list_id when the account has no Opt Out list", async () => {
    const optOut = listNamed("Opt Out");
    optOut.list_name = "Unsubscribed";
    try {
      const result = await h.call(deleteOptedOutContacts, { list_id: listNamed("Staff").list_id });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain(
        "The account has no list named Opt Out: give opt_out_list_id",
      );
    } finally {
      optOut.list_name = "Opt Out";
    }
  });

  it("answers a list that is not the account's with 403, naming where ids come from", async () => {
    const { text, request } = await failed(h, deleteOptedOutContacts, {
      list_id: 999,
      opt_out_list_id: listNamed("Opt Out").list_id,
    });
    expect(request).toMatchObject({ method: "PUT", status: 403 });
    expect(text).toContain("list_contact_lists");
  });
});
