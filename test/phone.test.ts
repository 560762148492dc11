import { describe, expect, it } from "vitest";
import { UserInputError } from "../src/errors.js";
import { normalisePhone } from "../src/sending/phone.js";

describe("normalisePhone", () => {
  it.each([
    ["+1 (415) 555-2671", undefined, "+14155552671"],
    ["0411 111 111", "AU", "+61411111111"],
    ["07777 777777", "GB", "+447777777777"],
    ["+64 21 123 4567", undefined, "+64211234567"],
    ["030 1234567", "DE", "+49301234567"],
    ["+91 98765 43210", undefined, "+919876543210"],
  ])("normalises %s (%s) to %s", (input, country, e164) => {
    const result = normalisePhone("to", input, country);
    expect(result).toEqual({ e164 });
  });

  it.each([
    ["hello", undefined, "not a phone number"],
    ["0411 111 111", undefined, "no country code"],
    ["+61 4111", undefined, "too short"],
    ["+61 4111 1111 1111 1111", undefined, "too long"],
    // The right length, but in no range assigned to an operator (555): refused, not sent.
    ["+1 555 123 4567", undefined, "is not a number in use: +15551234567 has the right length"],
    ["+44 123 123 123", undefined, "no range assigned to an operator"],
  ])("refuses %s naming the field and why", (input, country, reason) => {
    let error: unknown;
    try {
      normalisePhone("messages[2].to", input, country);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain("messages[2].to");
    expect((error as Error).message).toContain(reason);
  });
});
