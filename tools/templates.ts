import * as z from "zod";
import { path } from "../src/client/path.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fence, fenceField, TEXT_CHARS } from "../src/tool/untrusted.js";
import { CREATE, DELETE, READ, UPDATE } from "./annotations.js";
import { templateIds } from "./ids.js";
import { id, nonBlank, pageInput } from "./inputs.js";
import { optionalText, pageOf } from "./outputs.js";
import { searchInput } from "./search.js";

interface Template {
  template_id: number;
  template_name: string;
  body: string;
}

const templateId = id("Template id (list_templates)");
const templateFields = {
  template_name: nonBlank.describe("Template name"),
  body: nonBlank.describe("Message text; may use [first_name]-style fields"),
};
const templateOutput = z.object({
  template_id: z.number(),
  template_name: optionalText,
  body: optionalText,
});

/** Names and bodies may come from anyone with access to the account: fenced. */
const only = ({ template_id, template_name, body }: Template) => ({
  template_id,
  template_name: fenceField(template_name),
  body: fence(body, TEXT_CHARS),
});

export const listTemplates = defineTool({
  name: "list_templates",
  toolset: "templates",
  title: "List SMS templates",
  description: "List saved SMS templates (id, name, body).",
  input: () =>
    z.strictObject({
      ...pageInput,
      ...searchInput({
        q: ["template_id", "template_name", "body"],
        order: ["template_id", "template_name"],
      }),
    }),
  annotations: READ,
  ids: templateIds,
  output: pageOf(templateOutput),
  run: (args, ctx) => ctx.client.page("sms/templates", args, only),
});

export const createTemplate = defineTool({
  name: "create_template",
  toolset: "templates",
  title: "Create SMS template",
  description: "Save a new SMS template. Stores text only: nothing is sent.",
  input: () => z.strictObject(templateFields),
  annotations: CREATE,
  ids: templateIds,
  output: templateOutput,
  run: async (args, ctx) => only(await ctx.client.post<Template>("sms/templates", args)),
});

export const updateTemplate = defineTool({
  name: "update_template",
  toolset: "templates",
  title: "Update SMS template",
  description: "Replace an SMS template's name and body (ClickSend needs both).",
  input: () => z.strictObject({ template_id: templateId, ...templateFields }),
  annotations: UPDATE,
  ids: templateIds,
  output: templateOutput,
  run: async ({ template_id, ...fields }, ctx) =>
    only(await ctx.client.put<Template>(path`sms/templates/${template_id}`, fields)),
});

export const deleteTemplate = defineTool({
  name: "delete_template",
  toolset: "templates",
  title: "Delete SMS template",
  description: "Delete an SMS template for good.",
  input: () => z.strictObject({ template_id: templateId }),
  annotations: DELETE,
  ids: templateIds,
  output: z.object({ deleted: z.object({ template_id: z.int() }) }),
  run: ({ template_id }, ctx) =>
    ctx.client
      .delete(path`sms/templates/${template_id}`)
      .then(() => ({ deleted: { template_id } })),
});
