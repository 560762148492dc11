import { describe, expect, it } from "vitest";
import { checkRecipients } from "../src/sending/guards.js";

const noLists = new Map<number, number>();

describe("checkRecipients", () => {
  it("allows exact numbers and prefixes only", () => {
    const config = { allowedRecipients: ["+61*", "+447777777777"] };
    expect(() => checkRecipients(config, ["+61411111111", "+447777777777"], noLists)).not.toThrow();
    expect(() => checkRecipients(config, ["+14055555555"], noLists)).toThrow(
      /CLICKSEND_ALLOWED_RECIPIENTS/,
    );
  });

  it("counts list members against the per-call cap and says how big the list is", () => {
    const numbers = Array.from({ length: 9 }, (_, i) => `+6141111111${i}`);
    expect(() => checkRecipients({ maxRecipientsPerCall: 5 }, numbers, new Map([[42, 8]]))).toThrow(
      /limit is 5 recipients per call and this call has 9 \(list 42 has 8 recipients\)/,
    );
  });
});
