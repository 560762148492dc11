import type { RequestClient } from "../client/client.js";
import { RefusedError } from "../errors.js";
import type { Channel, ListMember, OutgoingMessage } from "./channel.js";
import { checkRecipients, type GuardConfig, isGuarded } from "./guards.js";

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
  /** List members on the opt-out list that were left out. */
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
 * Applies the operator's rules to the exact numbers a send will reach. With any guard on, each
 * list is read once and replaced by its members' numbers (normalised with their country), so a
 * list edited meanwhile cannot send to a number nobody checked. A send to lists also reads the
 * account's opt-out list: members on it are counted and, unless the operator turned that off,
 * left out (which sends the list as numbers). Otherwise lists pass as list_id and ClickSend
 * expands them.
 */
export async function checkedRecipients<M extends OutgoingMessage>(
  channel: Channel,
  messages: M[],
  config: GuardConfig,
  client: RequestClient,
): Promise<CheckedRecipients<M>> {
  const listIds = [
    ...new Set(messages.flatMap((m) => (m.list_id !== undefined ? [m.list_id] : []))),
  ];
  const optOuts = listIds.length ? await channel.optOuts(client) : undefined;
  const unchanged = (warnings: string[] = []) => ({
    messages,
    count: messages.filter((m) => m.to !== undefined).length,
    expanded: [],
    optedOutSkipped: 0,
    warnings,
  });
  if (!isGuarded(config) && !optOuts?.members.length) return unchanged();
  const { normalisePhone } = await loadPhone();
  const optedOut = new Set(numbersOf(optOuts?.members ?? [], normalisePhone));
  const skip = config.skipOptedOut !== false;
  const members = new Map<number, string[]>();
  const warnings: string[] = [];
  let optedOutSkipped = 0;
  for (const listId of listIds) {
    const numbers = numbersOf(await channel.listMembers(listId, client), normalisePhone);
    const kept = numbers.filter((n) => !optedOut.has(n));
    const out = numbers.length - kept.length;
    if (out && optOuts) {
      const who = out === 1 ? "1 member is" : `${out} members are`;
      const fate = skip
        ? "left out (the list goes as numbers: ClickSend fills no per-contact tags)"
        : "included (CLICKSEND_SKIP_OPTED_OUT is off)";
      warnings.push(
        `List ${listId}: ${who} on the opt-out list (list ${optOuts.list_id}), ${fate}. Clean the list with ${channel.removeOptedOut}.`,
      );
    }
    if (skip) optedOutSkipped += out;
    members.set(listId, skip ? kept : numbers);
  }
  if (!isGuarded(config) && optedOutSkipped === 0) return unchanged(warnings);
  const sent = messages.flatMap((message) => {
    if (message.list_id === undefined) return [message];
    const { list_id, ...rest } = message;
    return (members.get(list_id) ?? []).map((to) => ({ ...rest, to }) as M);
  });
  if (sent.length === 0 && optedOutSkipped) {
    throw new RefusedError(
      `Refused by CLICKSEND_SKIP_OPTED_OUT: every member with a number of list ${listIds.join(", ")} is on the opt-out list.`,
    );
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
