/**
 * Text from upstream (ClickSend, or whatever answers at the base URL) may quote the request back:
 * its Authorization header, its message texts. Before such text goes into an error, it is
 * redacted and clipped here, once, by the client that knows both.
 */
import type { Auth } from "./client.js";

/** ClickSend's messages are one sentence; anything longer is an echo or a dump. */
const MAX_UPSTREAM_CHARS = 500;
/** A message text shorter than this is left alone: hiding "ok" would garble every word with it. */
const MIN_BODY_CHARS = 4;
/** A quote of this many leading characters of a secret is redacted, and as far as it matches. */
const PROBE_CHARS = 12;
/** Request fields whose values are message texts. */
const TEXT_FIELDS = new Set(["body", "subject"]);

/** The ways a string can appear in upstream text: as is, JSON- or PHP-escaped, URL-encoded. */
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const php = json
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [secret, json, php, encodeURIComponent(secret)];
}

function credentialsOf(auth: Auth): string[] {
  if (auth.kind === "bearer") return [auth.token];
  if (auth.kind === "none") return [];
  const pair = `${auth.username}:${auth.apiKey}`;
  const { apiKey } = auth;
  return [
    pair,
    Buffer.from(pair).toString("base64"),
    Buffer.from(pair).toString("base64url"),
    apiKey,
    apiKey.toLowerCase(),
    apiKey.toUpperCase(),
  ];
}

function textsOf(value: unknown, out: Set<string>, key = ""): Set<string> {
  if (typeof value === "string") {
    if (TEXT_FIELDS.has(key) && value.length >= MIN_BODY_CHARS) out.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) textsOf(item, out, key);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) textsOf(v, out, k);
  }
  return out;
}

/** Replaces every quote of form in text, whole or cut short after its first PROBE_CHARS. */
function hide(text: string, form: string, mark: string): string {
  const probe = form.slice(0, PROBE_CHARS);
  let out = "";
  let from = 0;
  let at = text.indexOf(probe);
  while (at !== -1) {
    let end = at + probe.length;
    while (end < text.length && end - at < form.length && text[end] === form[end - at]) end++;
    out += `${text.slice(from, at)}${mark}`;
    from = end;
    at = text.indexOf(probe, end);
  }
  return out + text.slice(from);
}

export type Redactor = (text: string) => string;

/** Redacts the credentials of auth and the message texts of a request body, then clips. */
export function redactorFor(auth: Auth, requestBody: unknown): Redactor {
  const rules: Array<[string, string]> = [];
  for (const secret of credentialsOf(auth)) {
    for (const form of formsOf(secret)) rules.push([form, "[credentials]"]);
  }
  for (const text of textsOf(requestBody, new Set())) {
    for (const form of formsOf(text)) rules.push([form, "[message text]"]);
  }
  // Longest first, so a whole secret is hidden before a shorter one inside it.
  rules.sort(([a], [b]) => b.length - a.length);
  return (text) => {
    let out = text;
    // Whole quotes first, so that one form's cut-short match cannot leave the rest of another.
    for (const [form, mark] of rules) if (form) out = out.replaceAll(form, mark);
    for (const [form, mark] of rules) if (form) out = hide(out, form, mark);
    return out.length > MAX_UPSTREAM_CHARS ? `${out.slice(0, MAX_UPSTREAM_CHARS)}…` : out;
  };
}
