import { UserInputError } from "../errors.js";
import { AUDIT_DAYS, dayOf, oldestAuditDayKept, type SendStore } from "../state/store.js";

/** The audit of sends as MCP resources: what the agent sent, by UTC day, numbers masked. */

const PREFIX = "clicksend://sends/";

export const auditUri = (day: string): string => `${PREFIX}${day}`;

/** Sends per page of a day's audit: one read stays small whatever the day's volume. */
export const AUDIT_PAGE = 100;

/** Today's audit, listed; other days are reached through the clicksend://sends/{date} template. */
export function auditResources(now: number) {
  return [
    {
      uri: `${PREFIX}today`,
      name: "sends-today",
      title: "Sends today",
      description: `What this server sent today (UTC, ${dayOf(now)}): tags, message ids, counts, prices, outcomes; numbers masked`,
      mimeType: "application/json",
    },
  ];
}

/** The audit of any of the last days, by date. */
export const auditResourceTemplates = [
  {
    uriTemplate: `${PREFIX}{date}{?after}`,
    name: "sends-by-date",
    title: "Sends on a date",
    description: `What this server sent on a UTC date (YYYY-MM-DD, last 7 days), numbers masked; ${AUDIT_PAGE} sends a page, the next page's URI in next`,
    mimeType: "application/json",
  },
];

export async function readAuditResource(uri: string, store: SendStore) {
  if (!uri.startsWith(PREFIX)) {
    throw new UserInputError(
      `Unknown resource ${uri}: read ${PREFIX}today or ${PREFIX}YYYY-MM-DD.`,
    );
  }
  const now = store.now();
  const [asked = "", query = ""] = uri.slice(PREFIX.length).split("?", 2);
  const after = new URLSearchParams(query).get("after") ?? undefined;
  const day = asked === "today" ? dayOf(now) : asked;
  const oldest = oldestAuditDayKept(dayOf(now));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day < oldest || day > dayOf(now)) {
    throw new UserInputError(
      `${uri}: the date must be today or one of the ${AUDIT_DAYS - 1} days before it (${oldest} to ${dayOf(now)}), as YYYY-MM-DD.`,
    );
  }
  if (after !== undefined && !/^\d{1,15}$/.test(after)) {
    throw new UserInputError(`${uri}: after must be the cursor of a page's next URI.`);
  }
  const page = await store.audit(day, { ...(after ? { after } : {}), limit: AUDIT_PAGE });
  const sends = page.records;
  return {
    uri,
    mimeType: "application/json",
    text: JSON.stringify({
      date: day,
      store: store.kind,
      count: sends.length,
      sends,
      ...(page.next ? { next: `${PREFIX}${day}?after=${page.next}` } : {}),
    }),
  };
}
