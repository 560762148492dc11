import { lazyEngine } from "./lazy.js";
import type { SendStateEngine } from "./store.js";

/**
 * State in this process only, in SQLite's ":memory:": the same SQL as the file, so memory and
 * file cannot disagree about a rule. For tests, and for the sandbox unless a state directory is
 * set.
 */
export function memoryEngine(): SendStateEngine {
  return lazyEngine("memory", "memory (this process only)", async () => {
    const { sqliteEngine } = await import("./sqlite.js");
    return sqliteEngine({ file: ":memory:" });
  });
}
