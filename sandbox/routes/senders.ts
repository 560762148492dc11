import type { SandboxResponse } from "../envelope.js";
import { pageOf } from "../resource.js";
import { type Route, route, type SandboxRequest } from "../router.js";

/**
 * The sender IDs of the sandbox account (clicksend-api.md §15): dedicated numbers (GET numbers, a
 * Laravel page in the envelope), alpha tags and verified own numbers (GET alpha-tags, own-numbers:
 * ClickSend's newer endpoints, which answer without the envelope and page by offset).
 */

const ACCOUNT = "85edb794-ee6d-4a38-9f63-c5fa8acf0d79";
const CREATED = "2026-05-11T01:00:00.123Z";
const owner = { account_id: ACCOUNT, workspace_id: ACCOUNT, user_id: ACCOUNT };

const status = (value: number, label: string, name: string, description: string) => ({
  value,
  label,
  name,
  description,
});

const NUMBERS = [
  {
    dedicated_number: "+61485900112",
    country: "AU",
    _country_name: "Australia",
    price: "29.00",
    notes: null,
    type: "sms",
    number_type: "mobile",
    number_category: "standard",
    number_guid: "0c2f6d0e-3c1a-4e59-9d47-5b1f4a6f2a11",
    status: status(5, "REGISTERED", "Registered", "Your number is registered and ready to use."),
  },
  {
    dedicated_number: "+18335550199",
    country: "US",
    _country_name: "United States",
    price: "15.00",
    notes: null,
    type: "sms",
    number_type: "tollfree",
    number_category: "standard",
    number_guid: "6a8e1c52-09b4-4f0e-a1f3-2d6b7c9e4f20",
    status: status(2, "IN_PROGRESS", "In progress", "Your number registration is in progress."),
  },
];

const ALPHA_TAGS = [
  ["3f1c2b7a-5d6e-4f80-9a1b-2c3d4e5f6a70", "Sandbox", "APPROVED", "Company Name", []],
  ["7b2d3c8e-6f7a-4091-8b2c-3d4e5f6a7b81", "SandboxAU", "APPROVED", "Company Name", ["AU"]],
  ["9c3e4d9f-7a8b-41a2-9c3d-4e5f6a7b8c92", "MyShop", "PENDING", "Trademark", []],
].map(([id, alpha_tag, tagStatus, reason, countries]) => ({
  id,
  ...owner,
  alpha_tag,
  status: tagStatus,
  reason,
  countries,
  created_timestamp: CREATED,
  updated_timestamp: CREATED,
}));

const OWN_NUMBERS = [
  {
    id: "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70",
    ...owner,
    phone_number: "+61400999888",
    country: "AU",
    label: "Reception mobile",
    status: "APPROVED",
    verified_timestamp: CREATED,
    notified_timestamp: null,
    is_nearing_expiration: false,
    created_timestamp: CREATED,
    updated_timestamp: CREATED,
  },
];

/** One offset page of the newer endpoints: {<key>: [...], _metadata: {pagination}} and no envelope. */
function offsetPage(req: SandboxRequest, key: string, items: unknown[]): SandboxResponse {
  const size = Math.min(500, Math.max(1, Number(req.query.get("page_size") ?? 10) || 10));
  const start = Math.max(0, Number(req.query.get("offset") ?? 0) || 0);
  const next = start + size < items.length ? `${req.url}?offset=${start + size}` : null;
  return {
    status: 200,
    body: {
      [key]: items.slice(start, start + size),
      _metadata: { pagination: { self: req.url, next, page_size: size } },
    },
  };
}

export const senderRoutes: Route[] = [
  route("GET", "numbers", (req) => pageOf(req, NUMBERS)),
  route("GET", "alpha-tags", (req) => offsetPage(req, "alpha_tags", ALPHA_TAGS)),
  route("GET", "own-numbers", (req) => offsetPage(req, "own_numbers", OWN_NUMBERS)),
];
