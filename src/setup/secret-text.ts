/**
 * Whether a host's config file holds a credential in plain text: a key named like one (the
 * ClickSend API key, any token, secret, password or Authorization header), in JSON or TOML, with
 * a non-empty value that is not only a reference to a variable the host fills in.
 */

const SECRET_NAME = String.raw`[\w.-]*(?:api[_-]?key|token|secret|passw(?:or)?d|credential|authorization|bearer)[\w.-]*`;
/** `"NAME": "value"` (JSON) or `NAME = "value"` / `"NAME" = 'value'` (TOML). */
const SECRET_PAIR = new RegExp(
  String.raw`(?:"${SECRET_NAME}"|'${SECRET_NAME}'|\b${SECRET_NAME})\s*[:=]\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`,
  "gi",
);
/**
 * ${VAR}, ${VAR:-}, ${env:VAR}, ${input:id}, $VAR, %VAR%, each also after "Bearer " (an
 * Authorization header): the host's reference, no value.
 */
const REFERENCE = /^\s*(?:Bearer\s+)?(?:\$\{[^}]*\}|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%)\s*$/i;
/** A key that names the variable holding a secret (Codex's bearer_token_env_var), not a secret. */
const NAMES_A_VARIABLE = /_env_var["']?$/i;

export function holdsSecret(text: string): boolean {
  for (const match of text.matchAll(SECRET_PAIR)) {
    const value = match[1] ?? match[2] ?? "";
    const key = match[0].split(/\s*[:=]/)[0] ?? "";
    if (NAMES_A_VARIABLE.test(key)) continue;
    if (value.trim() !== "" && !REFERENCE.test(value)) return true;
  }
  return false;
}
