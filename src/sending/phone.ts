import {
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import { UserInputError } from "../errors.js";

export interface PhoneNumber {
  e164: string;
  /** Set when the number is possible but not known to be assigned: it is sent, with this warning. */
  warning?: string;
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
 * Impossible numbers are refused before any request; possible but unassigned-looking ones pass
 * with a warning (new ranges appear before the metadata knows them).
 */
export function normalisePhone(field: string, input: string, country?: string): PhoneNumber {
  const refuse = (reason: string) =>
    new UserInputError(
      `${field}: ${JSON.stringify(input.slice(0, 40))} cannot be a phone number: ${reason}.`,
      [field],
    );
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
    return {
      e164: parsed.number,
      warning: `${field}: ${parsed.number} is not a known assigned number range; sent anyway, check it.`,
    };
  }
  return { e164: parsed.number };
}
