/**
 * Conversation resources as the watcher names them, and which of them one connection subscribed
 * to (resources/subscribe, 2025 revisions). The URI is the contract with the conversation
 * resource template: `clicksend://conversations/{number}`, the number in E.164.
 */

export const CONVERSATION_PREFIX = "clicksend://conversations/";

/** The conversation resource of an E.164 number. */
export const conversationUri = (e164: string) => `${CONVERSATION_PREFIX}${e164}`;

/** The number of a conversation URI, or undefined for any other URI. */
export function numberOfConversation(uri: string): string | undefined {
  if (!uri.startsWith(CONVERSATION_PREFIX)) return undefined;
  const number = decodeURIComponent(uri.slice(CONVERSATION_PREFIX.length));
  return /^\+[1-9]\d{6,14}$/.test(number) ? number : undefined;
}

/** Most URIs one connection may subscribe to; more are refused, not silently dropped. */
export const MAX_SUBSCRIPTIONS = 1000;

/** The URIs one connection subscribed to. */
export class Subscriptions {
  private readonly uris = new Set<string>();

  /** Adds a URI; false when the connection already holds the most it may. */
  add(uri: string): boolean {
    if (this.uris.has(uri)) return true;
    if (this.uris.size >= MAX_SUBSCRIPTIONS) return false;
    this.uris.add(uri);
    return true;
  }

  remove(uri: string): void {
    this.uris.delete(uri);
  }

  has(uri: string): boolean {
    return this.uris.has(uri);
  }

  get size(): number {
    return this.uris.size;
  }
}
