import { UserInputError } from "../errors.js";

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Builds a request path from a template, validating and encoding every interpolated value so
 * nothing from model input can change the path (no "/", "..", "%2F" or query characters).
 *   path`lists/${listId}/contacts`
 */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    const text = String(value);
    if (!SAFE_SEGMENT.test(text)) {
      throw new UserInputError(
        `Invalid id ${JSON.stringify(text).slice(0, 80)} in the request path.`,
      );
    }
    out += encodeURIComponent(text) + (strings[i + 1] ?? "");
  });
  return out;
}
