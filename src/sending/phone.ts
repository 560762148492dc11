import {
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import { UserInputError } from "../errors.js";

export interface PhoneNumber {
  e164: string;
}

const REASONS: Record<string, string> = {
  INVALID_COUNTRY: "it has no country code: write it as +<country code><number> or set country",
  NOT_A_NUMBER: "it is not a phone number",
  TOO_SHORT: "it is too short",
  TOO_LONG: "it is too long",
  INVALID_LENGTH: "it has the wrong length for its country",
};

/**
 * Normalises what people type ("+1 (415) 555-2671", "0411 111 111" with country AU) to E.164.
 * Refused before any request: impossible numbers, and numbers of the right length in a range no
 * operator has (+1 555 ...): with libphonenumber's full metadata these are typos or made up far
 * more often than new ranges, and a send to one is paid for and reaches nobody, or the wrong
 * person. The same rule holds for sends, previews and contacts.
 */
export function normalisePhone(field: string, input: string, country?: string): PhoneNumber {
  const refuse = (reason: string, verdict = "cannot be a phone number") =>
    new UserInputError(`${field}: ${JSON.stringify(input.slice(0, 40))} ${verdict}: ${reason}.`, [
      field,
    ]);
  let parsed: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    parsed = parsePhoneNumberWithError(
      input,
      country ? { defaultCountry: country as never } : undefined,
    );
  } catch (error) {
    throw refuse(
      error instanceof ParseError
        ? (REASONS[error.message] ?? error.message)
        : "it could not be read",
    );
  }
  if (!parsed.isPossible()) {
    const reason = validatePhoneNumberLength(parsed.number) ?? "INVALID_LENGTH";
    throw refuse(REASONS[reason] ?? "it has the wrong length for its country");
  }
  if (!parsed.isValid()) {
    throw refuse(
      `${parsed.number} has the right length for +${parsed.countryCallingCode} but is in no range assigned to an operator; check the number`,
      "is not a number in use",
    );
  }
  return { e164: parsed.number };
}
