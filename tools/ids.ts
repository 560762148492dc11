import type { IdHints, RequestInfo } from "../src/errors.js";

/**
 * Where ids come from, declared on each tool (its `ids`): the next step of a 404 ("Check the id.
 * ...") or of a 403 that means an id that is not the caller's.
 */

const NOT_YOUR_LIST =
  "The list does not exist or is not yours: find list ids with list_contact_lists.";

export const listIds: IdHints = {
  find: "Find list ids with list_contact_lists.",
  forbidden: NOT_YOUR_LIST,
};
/** Contacts live under their list: a 403 is about the list. */
export const contactIds: IdHints = {
  find: "Find contact ids with list_contacts.",
  forbidden: NOT_YOUR_LIST,
};
export const messageIds: IdHints = { find: "Find message ids with list_sms_history." };
export const voiceMessageIds: IdHints = { find: "Find message ids with list_voice_history." };
export const templateIds: IdHints = { find: "Find template ids with list_templates." };
export const emailAddressIds: IdHints = { find: "Find ids with list_email_addresses." };

/**
 * A send posts to {channel}/send or {channel}/price, which take no id, and may first read a list
 * or its contacts (operator guards) or the account (an SMS preview).
 */
export function sendIds(request: RequestInfo): IdHints {
  if (request.path.startsWith("lists/")) {
    return request.path.includes("/contacts") ? contactIds : listIds;
  }
  return /\/(send|price)$/.test(request.path) ? { noId: true } : {};
}
