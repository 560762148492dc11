import { fail, ok, type SandboxResponse } from "../envelope.js";
import { findById, pageOf, withFields, withItem } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";
import { type EmailAddress, now } from "../state.js";

// Undocumented (clicksend-api.md §9); shaped like the other not-found answers.
const notFound = () => fail(404, "NOT_FOUND", "Email address not found.");
const withAddress = (req: SandboxRequest, fn: (address: EmailAddress) => SandboxResponse) =>
  withItem(
    findById(req.state.emailAddresses, "email_address_id", req.params.email_address_id),
    notFound,
    fn,
  );

export const emailRoutes: Route[] = [
  // No trailing period, as in both S1 and S2.
  route("GET", "email/addresses", (req) =>
    pageOf(req, req.state.emailAddresses, "Here are your email addresses"),
  ),
  route("POST", "email/addresses", (req) =>
    withFields(req, { email_address: "Email address" }, (fields) => {
      const email_address = fields.email_address.trim();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email_address)) {
        return fail(400, "BAD_REQUEST", "Invalid input.", {
          email_address: "Email address is invalid.",
        });
      }
      const wanted = email_address.toLowerCase();
      // Duplicate handling is undocumented; ALREADY_EXISTS is ClickSend's code for it (§1.5).
      if (req.state.emailAddresses.some((a) => a.email_address.toLowerCase() === wanted)) {
        return fail(400, "ALREADY_EXISTS", "Email address already exists.");
      }
      const created: EmailAddress = {
        email_address_id: req.state.nextId("email"),
        email_address,
        verified: 0,
        date_added: String(now()),
      };
      req.state.emailAddresses.push(created);
      return ok("Email address has been created.", created);
    }),
  ),
  route("GET", "email/addresses/:email_address_id", (req) =>
    withAddress(req, (address) => ok("Here is your email address.", address)),
  ),
  route("DELETE", "email/addresses/:email_address_id", (req) =>
    withAddress(req, (address) => {
      req.state.emailAddresses = req.state.emailAddresses.filter((a) => a !== address);
      return ok("Email address deleted.", null);
    }),
  ),
];
