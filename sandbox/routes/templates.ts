import { fail, ok, type SandboxResponse } from "../envelope.js";
import { findById, pageOf, withFields, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import type { Template } from "../state.js";

// S2 and S3 mark both fields required on POST and on PUT.
const REQUIRED = { template_name: "Template name", body: "Body" };

// Undocumented; by analogy with "Contact record not found." (clicksend-api.md §4.4).
const notFound = () => fail(404, "NOT_FOUND", "Template record not found.");
const withTemplate = (req: SandboxRequest, fn: (template: Template) => SandboxResponse) =>
  withItem(findById(req.state.templates, "template_id", req.params.template_id), notFound, fn);

export const templateRoutes: Route[] = [
  route("GET", "sms/templates", (req) => pageOf(req, req.state.templates)),
  route("POST", "sms/templates", (req) =>
    withFields(req, REQUIRED, ({ template_name, body }) => {
      const template = { template_id: req.state.nextId("template"), template_name, body };
      req.state.templates.push(template);
      return ok("New template has been saved.", template);
    }),
  ),
  route("GET", "sms/templates/:template_id", (req) =>
    withTemplate(req, (template) => ok("Here is your template.", template)),
  ),
  route("PUT", "sms/templates/:template_id", (req) =>
    withTemplate(req, (template) =>
      withFields(req, REQUIRED, ({ template_name, body }) => {
        Object.assign(template, { template_name, body });
        return ok("Your template has been updated.", template);
      }),
    ),
  ),
  route("DELETE", "sms/templates/:template_id", (req) =>
    withTemplate(req, (template) => {
      req.state.templates = req.state.templates.filter((t) => t !== template);
      return ok("Your template has been deleted.", []);
    }),
  ),
];
