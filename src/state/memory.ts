import { emptyState, type SendState } from "./ledger.js";
import { type AuditRecord, oldestAuditDayKept, type StateBackend } from "./store.js";

/** State in this process only: for tests, and for the sandbox unless a state directory is set. */
export function memoryBackend(): StateBackend {
  let state: SendState = emptyState();
  const audit = new Map<string, AuditRecord[]>();
  return {
    kind: "memory",
    location: "memory (this process only)",
    // One synchronous step: nothing else in this process can run between read and write.
    transact: async (step) => {
      const result = step(state);
      state = result.state;
      return result.value;
    },
    appendAudit: async (day, record) => {
      const records = audit.get(day);
      if (records) {
        records.push(record);
        return;
      }
      audit.set(day, [record]);
      // A server that runs for weeks keeps only the days the audit serves.
      const oldestKept = oldestAuditDayKept(day);
      for (const kept of audit.keys()) if (kept < oldestKept) audit.delete(kept);
    },
    readAudit: async (day) => [...(audit.get(day) ?? [])],
    close: async () => {},
  };
}
