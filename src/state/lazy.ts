import type { SendStateEngine } from "./store.js";

/**
 * An engine whose code loads on its first step, so a start (tools/list) never loads SQLite or
 * Redis code.
 */
export function lazyEngine(
  kind: SendStateEngine["kind"],
  location: string,
  load: () => Promise<SendStateEngine>,
): SendStateEngine {
  let loading: Promise<SendStateEngine> | undefined;
  let loaded: SendStateEngine | undefined;
  const engine = async () => {
    loading ??= load().then((e) => {
      loaded = e;
      return e;
    });
    return loading;
  };
  return {
    kind,
    location,
    reserve: async (request, now) => (await engine()).reserve(request, now),
    issue: async (request, now) => (await engine()).issue(request, now),
    decline: async (request, now) => (await engine()).decline(request, now),
    settle: async (id, settlement, now) => (await engine()).settle(id, settlement, now),
    appendAudit: async (record) => (await engine()).appendAudit(record),
    readAudit: async (day, page) => (await engine()).readAudit(day, page),
    markOptedOut: async (hashes, ttlMs, now) => (await engine()).markOptedOut(hashes, ttlMs, now),
    optedOut: async (hashes, now) => (await engine()).optedOut(hashes, now),
    close: async () => {
      if (loading) await (loaded ?? (await loading)).close();
    },
  };
}
