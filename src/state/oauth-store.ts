import type { Adapter } from "oidc-provider";

/**
 * Where the built-in authorization server (src/oauth/builtin/) keeps what must outlive a process
 * and agree across instances: oidc-provider's records (clients, grants, codes, sessions, tokens)
 * and its secrets (signing keys, cookie keys). It lives in the send state's engine: the SQLite
 * file of the state directory, Redis, or memory when the send state is in memory.
 */
export interface OAuthStore {
  readonly kind: "memory" | "sqlite" | "redis";
  /** oidc-provider's adapter for one model ("Client", "Grant", "AuthorizationCode", ...). */
  adapter(model: string): Adapter;
  /**
   * The value stored under `name`, storing `make()` first when there is none. Instances that
   * race all get the one value stored first (create-if-absent, never overwritten).
   */
  once(name: string, make: () => string): Promise<string>;
  close(): Promise<void>;
}
