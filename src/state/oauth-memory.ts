import { sqliteOAuthStore } from "./oauth-sqlite.js";
import type { OAuthStore } from "./oauth-store.js";

/**
 * The OAuth store in this process only, in SQLite's ":memory:", as the send state's memory
 * engine is: the same SQL as the file. Everyone signs in again after a restart. For tests, and
 * for the sandbox unless a state directory is set.
 */
export function memoryOAuthStore(options: { now?: () => number } = {}): OAuthStore {
  return sqliteOAuthStore({ file: ":memory:", ...options });
}
