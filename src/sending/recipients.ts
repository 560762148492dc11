import type { RequestClient } from "../client/client.js";
import type { Channel, ListMember, OutgoingMessage } from "./channel.js";
import { checkRecipients, isGuarded } from "./guards.js";
import { everyoneOptedOut, OptedOut, toWarning } from "./opted-out.js";
import type { SendingPolicy } from "./policy.js";

/** Loaded on the first send: libphonenumber's metadata is not needed to start. */
const loadPhone = () => import("./phone.js");

/** Normalises every `to` to E.164; a number that cannot be, or is in no assigned range, is refused. */
export async function normaliseRecipients<M extends OutgoingMessage>(messages: M[]): Promise<M[]> {
  const { normalisePhone } = await loadPhone();
  return messages.map((message, i) =>
    message.to === undefined
      ? message
      : { ...message, to: normalisePhone(`messages[${i}].to`, message.to, message.country).e164 },
  );
}

export interface CheckedRecipients<M> {
  /**
   * The messages to post: a list replaced by the numbers that were checked when a guard is on or
   * when opted-out members are left out.
   */
  messages: M[];
  /** How many messages the send may consume. */
  count: number;
  /** Lists replaced by their members, and how many members each had with a number. */
  expanded: Array<{ list_id: number; recipients: number }>;
  /** Recipients who opted out and were left out: numbers in to, and list members. */
  optedOutSkipped: number;
  /** One per list with opted-out members: how many, and what to do about them. */
  warnings: string[];
}

type Normalise = Awaited<ReturnType<typeof loadPhone>>["normalisePhone"];

/** A member's number in E.164 (with its country), or as stored when it cannot be read. */
function e164Of(member: ListMember, normalisePhone: Normalise): string | undefined {
  if (!member.phone_number) return undefined;
  try {
    const country = member.address_country ?? undefined;
    return normalisePhone("phone_number", member.phone_number, country).e164;
  } catch {
    // Kept as stored: an allow-list cannot match it, so the send is refused, not guessed.
    return member.phone_number;
  }
}

const numbersOf = (members: ListMember[], normalisePhone: Normalise) =>
  members.flatMap((m) => e164Of(m, normalisePhone) ?? []);

/**
 * Applies the operator's rules to the exact numbers a send will reach. Every send reads the
 * account's opt-out list (through the process's short cache) and the send store's marks of
 * numbers that replied an opt-out keyword: a number given in `to` that opted out is left out and
 * counted, or with CLICKSEND_SKIP_OPTED_OUT off included with a warning. With any guard on, or
 * when the opt-out list has members, each list is read once and replaced by its members' numbers
 * (normalised with their country), so a list edited meanwhile cannot send to a number nobody
 * checked, and members who opted out are treated alike. Otherwise lists pass as list_id and
 * ClickSend expands them.
 */
export async function checkedRecipients<M extends OutgoingMessage>(
  channel: Channel,
  messages: M[],
  { config, store, optOutList }: SendingPolicy,
  client: RequestClient,
): Promise<CheckedRecipients<M>> {
  const listIds = [
    ...new Set(messages.flatMap((m) => (m.list_id !== undefined ? [m.list_id] : []))),
  ];
  const { normalisePhone } = await loadPhone();
  const optOuts = await optOutList.get(store.scope, store.now(), () => channel.optOuts(client));
  const expand = isGuarded(config) || Boolean(optOuts?.members.length);
  const members = new Map<number, string[]>();
  if (expand) {
    for (const listId of listIds) {
      members.set(listId, numbersOf(await channel.listMembers(listId, client), normalisePhone));
    }
  }
  const toNumbers = messages.flatMap((m) => (m.to !== undefined ? [m.to] : []));
  const optedOut = new OptedOut(
    optOuts,
    new Set(numbersOf(optOuts?.members ?? [], normalisePhone)),
    await store.optedOut([...new Set([...toNumbers, ...[...members.values()].flat()])]),
  );
  const skip = config.skipOptedOut !== false;
  const warnings: string[] = [];

  const toOut = toNumbers.filter((n) => optedOut.has(n));
  if (toOut.length) warnings.push(toWarning(toOut, optedOut, skip));
  let listSkipped = 0;
  for (const [listId, numbers] of members) {
    const out = numbers.filter((n) => optedOut.has(n));
    if (!out.length) continue;
    const who = out.length === 1 ? "1 member" : `${out.length} members`;
    const fate = skip
      ? "left out (the list goes as numbers: ClickSend fills no per-contact tags)"
      : "included (CLICKSEND_SKIP_OPTED_OUT is off)";
    warnings.push(
      `List ${listId}: ${who} ${optedOut.why(out)}, ${fate}. Clean the list with ${channel.removeOptedOut}.`,
    );
    if (skip) {
      listSkipped += out.length;
      members.set(
        listId,
        numbers.filter((n) => !optedOut.has(n)),
      );
    }
  }
  const kept = skip ? messages.filter((m) => m.to === undefined || !optedOut.has(m.to)) : messages;
  const optedOutSkipped = listSkipped + (messages.length - kept.length);
  // Lists go as list_id unless a guard must see their numbers or members were left out.
  const sent =
    isGuarded(config) || listSkipped
      ? kept.flatMap((message) => {
          if (message.list_id === undefined) return [message];
          const { list_id, ...rest } = message;
          return (members.get(list_id) ?? []).map((to) => ({ ...rest, to }) as M);
        })
      : kept;
  if (sent.length === 0 && optedOutSkipped) {
    throw everyoneOptedOut(listIds, toOut, optedOut);
  }
  if (!isGuarded(config) && !listSkipped) {
    return {
      messages: sent,
      count: sent.filter((m) => m.to !== undefined).length,
      expanded: [],
      optedOutSkipped,
      warnings,
    };
  }
  const sizes = new Map([...members].map(([id, numbers]) => [id, numbers.length]));
  checkRecipients(
    config,
    sent.map((m) => m.to as string),
    sizes,
  );
  return {
    messages: sent,
    count: sent.length,
    expanded: [...sizes].map(([list_id, recipients]) => ({ list_id, recipients })),
    optedOutSkipped,
    warnings,
  };
}
