import * as z from "zod";
import type { RequestClient } from "../src/client/client.js";
import { defineTool } from "../src/tool/define-tool.js";
import { fenceField } from "../src/tool/untrusted.js";
import { numberOf } from "../src/values.js";
import { READ } from "./annotations.js";
import { optionalText } from "./outputs.js";

interface DedicatedNumber {
  dedicated_number: string;
  country?: string;
  number_type?: string;
  status?: { value?: number | string; label?: string } | null;
}

interface AlphaTag {
  alpha_tag: string;
  status?: string;
  countries?: string[] | null;
}

interface OwnNumber {
  phone_number: string;
  country?: string;
  status?: string;
}

/** GET alpha-tags and own-numbers: ClickSend's newer endpoints, without the envelope. */
async function items<T>(client: RequestClient, path: string, key: string): Promise<T[]> {
  const body = await client.get<Record<string, unknown>>(path, { page_size: 500 }, { bare: true });
  const found = body?.[key];
  return Array.isArray(found) ? (found as T[]) : [];
}

// Number status 2 is "registration in progress", 3 "action required": nothing goes out yet.
const NOT_READY = [2, 3];
const SHARED =
  "Omit from to send from a shared number: not in the US and Canada; replies come back to the account.";

export const listSenderIds = defineTool({
  name: "list_sender_ids",
  toolset: "senders",
  title: "List sender IDs",
  description:
    "Which from values the account can send with: dedicated numbers, alpha tags, own numbers; their countries and whether replies come back.",
  input: () => z.strictObject({}),
  annotations: READ,
  output: z.object({
    senders: z.array(
      z.object({
        from: optionalText,
        type: z.enum(["dedicated number", "alpha tag", "own number"]),
        country: optionalText,
        countries: z.union([z.array(z.string()), z.string()]).optional(),
        replies: z.boolean(),
        usable: z.boolean(),
        status: optionalText,
      }),
    ),
    shared: z.string(),
    more_numbers: optionalText,
  }),
  run: async (_args, { client }) => {
    const [numbers, tags, own] = await Promise.all([
      client.page<DedicatedNumber>("numbers", { limit: 100 }),
      items<AlphaTag>(client, "alpha-tags", "alpha_tags"),
      items<OwnNumber>(client, "own-numbers", "own_numbers"),
    ]);
    return {
      senders: [
        ...numbers.items.map((n) => ({
          from: n.dedicated_number,
          type: "dedicated number" as const,
          country: n.country,
          replies: true,
          usable: !NOT_READY.includes(numberOf(n.status?.value) ?? 0),
          status: n.status?.label,
        })),
        ...tags.map((t) => ({
          from: fenceField(t.alpha_tag),
          type: "alpha tag" as const,
          countries: t.countries?.length ? t.countries : "any but US, CA",
          replies: false,
          usable: t.status === "APPROVED",
          status: t.status,
        })),
        // A verified mobile of the account's own: replies go to that phone, not to ClickSend.
        ...own.map((o) => ({
          from: o.phone_number,
          type: "own number" as const,
          country: o.country,
          replies: false,
          usable: o.status === "APPROVED",
          status: o.status,
        })),
      ],
      shared: SHARED,
      ...(numbers.has_more
        ? { more_numbers: "Only the first 100 dedicated numbers are shown." }
        : {}),
    };
  },
});
