import type { RequestClient } from "../client.js";
import type { Channel, OutgoingMessage } from "./channel.js";
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
  /** The messages to post: with guards on, every list replaced by the numbers that were checked. */
  messages: M[];
  /** How many messages the send may consume. */
  count: number;
  /** Lists replaced by their members, and how many members each had with a number. */
  expanded: Array<{ list_id: number; recipients: number }>;
}

/**
 * Applies the operator's rules to the exact numbers a send will reach. With any guard on, each
 * list is read once and replaced by its members' numbers (normalised with their country), so a
 * list edited meanwhile cannot send to a number nobody checked. Without guards, lists pass as
 * list_id and ClickSend expands them.
 */
export async function checkedRecipients<M extends OutgoingMessage>(
  channel: Channel,
  messages: M[],
  config: GuardConfig,
  client: RequestClient,
): Promise<CheckedRecipients<M>> {
  if (!isGuarded(config)) {
    return { messages, count: messages.filter((m) => m.to !== undefined).length, expanded: [] };
  }
  const { normalisePhone } = await loadPhone();
  const members = new Map<number, string[]>();
  for (const listId of new Set(
    messages.flatMap((m) => (m.list_id !== undefined ? [m.list_id] : [])),
  )) {
    const numbers: string[] = [];
    for (const member of await channel.listMembers(listId, client)) {
      if (!member.phone_number) continue;
      try {
        const country = member.address_country ?? undefined;
        numbers.push(normalisePhone("phone_number", member.phone_number, country).e164);
      } catch {
        // Kept as stored: an allow-list cannot match it, so the send is refused, not guessed.
        numbers.push(member.phone_number);
      }
    }
    members.set(listId, numbers);
  }
  const sent = messages.flatMap((message) => {
    if (message.list_id === undefined) return [message];
    const { list_id, ...rest } = message;
    return (members.get(list_id) ?? []).map((to) => ({ ...rest, to }) as M);
  });
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
  };
}
