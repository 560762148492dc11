import * as z from "zod";
import { path } from "../src/client/path.js";
import { defineTool } from "../src/tool/define-tool.js";
import { CREATE, DELETE, READ } from "./annotations.js";
import { emailAddressIds } from "./ids.js";
import { email, id, pageInput } from "./inputs.js";
import { pageOf } from "./outputs.js";

interface EmailAddress {
  email_address_id: number;
  email_address: string;
  verified: number | string;
}

const addressOutput = z.object({
  email_address_id: z.number(),
  email_address: z.string().optional(),
  verified: z.boolean(),
});

const trimAddress = (a: EmailAddress) => ({
  email_address_id: a.email_address_id,
  email_address: a.email_address,
  verified: Number(a.verified) === 1,
});

export const listEmailAddresses = defineTool({
  name: "list_email_addresses",
  toolset: "email",
  title: "List allowed email addresses",
  description: "List the allowed sender email addresses and whether each is verified.",
  input: () => z.strictObject(pageInput),
  annotations: READ,
  ids: emailAddressIds,
  output: pageOf(addressOutput),
  run: (args, ctx) => ctx.client.page("email/addresses", args, trimAddress),
});

export const createEmailAddress = defineTool({
  name: "create_email_address",
  toolset: "email",
  title: "Add allowed email address",
  description:
    "Add an allowed sender email address. It stays unverified, and unusable as a sender, until verified in ClickSend.",
  input: () => z.strictObject({ email_address: email }),
  annotations: CREATE,
  ids: emailAddressIds,
  output: addressOutput,
  run: async (args, ctx) =>
    trimAddress(await ctx.client.post<EmailAddress>("email/addresses", args)),
});

export const deleteEmailAddress = defineTool({
  name: "delete_email_address",
  toolset: "email",
  title: "Delete allowed email address",
  description: "Remove an allowed sender email address.",
  input: () => z.strictObject({ email_address_id: id("Email address id (list_email_addresses)") }),
  annotations: DELETE,
  ids: emailAddressIds,
  output: z.object({ deleted: z.object({ email_address_id: z.int() }) }),
  run: ({ email_address_id }, ctx) =>
    ctx.client
      .delete(path`email/addresses/${email_address_id}`)
      .then(() => ({ deleted: { email_address_id } })),
});
