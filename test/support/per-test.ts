import { afterEach } from "vitest";
import type { SendingConfig } from "../../src/sending/policy.js";
import type { SendStore } from "../../src/state/store.js";
import { type Harness, harness } from "./harness.js";

/**
 * A fresh harness for each test, closed after it, for tests that need their own send state or
 * guards. Call it at a file's top level: `const setup = harnessPerTest();`, then in a test
 * `const h = await setup({ duplicateWindowS: 600 });`.
 */
export function harnessPerTest() {
  let current: Harness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (sending: Partial<SendingConfig> = {}, store?: SendStore): Promise<Harness> => {
    current = await harness({ sending, ...(store ? { store } : {}) });
    return current;
  };
}
