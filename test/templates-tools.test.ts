import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Template } from "../sandbox/state.js";
import { ClickSendApiError } from "../src/errors.js";
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  updateTemplate,
} from "../tools/templates.js";
import { type Harness, harness } from "./support/harness.js";
import { failed, refused, succeeded } from "./support/results.js";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

function addTemplate(template_name: string, body = "Hello [first_name]"): Template {
  const template = { template_id: h.sandbox.state.nextId("template"), template_name, body };
  h.sandbox.state.templates.push(template);
  return template;
}

describe("list_templates", () => {
  it("passes page, limit, q and order_by through and returns the normalised page", async () => {
    const { data, request } = await succeeded(h, listTemplates, {
      q: "template_name:shipped",
      order_by: "template_id:desc",
      limit: 20,
      page: 1,
    });
    expect(request).toMatchObject({
      method: "GET",
      path: "sms/templates",
      query: { q: "template_name:shipped", order_by: "template_id:desc", limit: "20", page: "1" },
    });
    expect(data).toEqual({
      items: [
        {
          template_id: expect.any(Number),
          template_name: "«Order shipped»",
          body: "«Good news [first_name]: your order is on its way.»",
        },
      ],
      page: 1,
      per_page: 20,
      total: 1,
      last_page: 1,
      has_more: false,
    });
  });

  it("says when there are more pages", async () => {
    for (let i = 0; i < 20; i++) addTemplate(`Bulk ${i}`);
    const { data } = await succeeded(h, listTemplates, { q: "template_name:bulk" });
    expect(data).toMatchObject({ total: 20, per_page: 15, last_page: 2, has_more: true });
  });

  it("refuses a limit outside 15-100 without a request", async () => {
    await refused(h, listTemplates, { limit: 500 }, "limit");
    await refused(h, listTemplates, { page: 0 }, "page");
  });
});

describe("create_template", () => {
  it("posts the name and body and returns the saved template", async () => {
    const { data, request } = await succeeded(h, createTemplate, {
      template_name: "Welcome",
      body: "Welcome aboard, [first_name]!\r\n漢字",
    });
    expect(request).toMatchObject({
      method: "POST",
      path: "sms/templates",
      body: { template_name: "Welcome", body: "Welcome aboard, [first_name]!\r\n漢字" },
    });
    expect(data).toEqual({
      template_id: expect.any(Number),
      template_name: "Welcome",
      body: "«Welcome aboard, [first_name]!\\u000d\n漢字»",
    });
    expect(h.sandbox.state.templates.some((t) => t.template_id === data.template_id)).toBe(true);
  });

  it("refuses a missing body or a blank name without a request", async () => {
    expect(await refused(h, createTemplate, { template_name: "No body" })).toMatch(/body/);
    await refused(
      h,
      createTemplate,
      { template_name: "  ", body: "x" },
      "template_name: must not be blank",
    );
  });

  it("the sandbox answers a missing field with 400 and a field map", async () => {
    const error = await h.client.post("sms/templates", { body: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error).toMatchObject({
      status: 400,
      responseCode: "BAD_REQUEST",
      fieldErrors: { template_name: "Template name field is required." },
    });
  });
});

describe("update_template", () => {
  it("puts both fields to the template's path and returns the updated template", async () => {
    const template = addTemplate("Old name", "Old body");
    const { data, request } = await succeeded(h, updateTemplate, {
      template_id: template.template_id,
      template_name: "New name",
      body: "New body",
    });
    expect(request).toMatchObject({
      method: "PUT",
      path: `sms/templates/${template.template_id}`,
      body: { template_name: "New name", body: "New body" },
    });
    expect(data).toEqual({
      template_id: template.template_id,
      template_name: "«New name»",
      body: "«New body»",
    });
  });

  it("requires both template_name and body, without a request", async () => {
    await refused(h, updateTemplate, { template_id: 587713, template_name: "Only" }, "body");
  });

  it("reports an unknown template with where to find ids", async () => {
    const { text, request } = await failed(h, updateTemplate, {
      template_id: 999,
      template_name: "x",
      body: "y",
    });
    expect(request).toMatchObject({ method: "PUT", path: "sms/templates/999", status: 404 });
    expect(text).toContain("Template record not found.");
    expect(text).toContain("Check the id. Find template ids with list_templates.");
    expect(text).toContain("Nothing was sent or changed.");
  });
});

describe("delete_template", () => {
  it("deletes by id and says what was deleted", async () => {
    const template = addTemplate("Doomed");
    const { data, request } = await succeeded(h, deleteTemplate, {
      template_id: template.template_id,
    });
    expect(request).toMatchObject({
      method: "DELETE",
      path: `sms/templates/${template.template_id}`,
    });
    expect(data).toEqual({ deleted: { template_id: template.template_id } });
    expect(h.sandbox.state.templates).not.toContain(template);

    const again = await failed(h, deleteTemplate, { template_id: template.template_id });
    expect(again.request.status).toBe(404);
    expect(again.text).toContain("list_templates");
  });

  it("refuses ids that are not positive integers without a request", async () => {
    for (const template_id of [0, -3, 1.5, "587713", "../account"]) {
      await refused(h, deleteTemplate, { template_id }, "template_id");
    }
  });
});
