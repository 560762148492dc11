import type { AdapterPayload } from "oidc-provider";
import { StateStoreError } from "../errors.js";

/**
 * The models whose records belong to a grant, as oidc-provider's reference adapter has them:
 * revoking a grant (revokeByGrantId) removes these records of it, in every model at once.
 */
const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PreAuthorizedCode",
]);

/** What a record is looked up by besides its id: its grant, user code (device flow) and uid (sessions). */
export interface RecordIndexes {
  grantId?: string | undefined;
  userCode?: string | undefined;
  uid?: string | undefined;
}

export function indexesOf(model: string, payload: AdapterPayload): RecordIndexes {
  return {
    grantId: GRANTABLE.has(model) ? payload.grantId : undefined,
    userCode: payload.userCode,
    uid: model === "Session" ? payload.uid : undefined,
  };
}

/** oidc-provider's expiresIn (seconds from now) as the epoch millisecond it ends at. */
export function untilOf(expiresIn: number | undefined, now: number): number | undefined {
  return typeof expiresIn === "number" ? Math.round(now + expiresIn * 1000) : undefined;
}

/** Epoch seconds, as oidc-provider's `consumed` has them. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** The words a store's faults are told in. */
export const OAUTH_STATE_WORDS = {
  name: "OAuth state",
  kept: "its keys, clients and grants",
  guards: "sign-ins and tokens",
  forgets: "its signing keys, clients and grants; everyone signs in again",
};

/**
 * A stored payload, read back. JSON.parse's own error quotes the text, which may hold a token or
 * a key: a record that does not parse is told without it.
 */
export function parsePayload(text: string, model: string, location: string): AdapterPayload {
  try {
    return JSON.parse(text) as AdapterPayload;
  } catch {
    throw new StateStoreError(
      `The OAuth state at ${location} holds a ${model} record that is not JSON: it was changed outside clicksend-mcp. Nothing was changed.`,
    );
  }
}
