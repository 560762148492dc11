/**
 * The built-in authorization server's HTML: the consent page (sign in and allow) and its error
 * page. Self-contained (no external assets, no script), served with a strict CSP. Everything a
 * client supplied (its name, client_id, redirect URI) comes from strangers and is escaped.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { showHidden } from "../../tool/untrusted.js";
import type { IssuedScope } from "./people.js";

const STYLE = `body{font:16px/1.45 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:30rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;margin:0 0 1rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0}dt{color:#5a6270}dd{margin:0;overflow-wrap:anywhere}
.host{font-weight:700;font-size:1.1rem}.note{color:#5a6270;font-size:.9rem}
.error{background:#fdecea;color:#8a1c12;padding:.6rem .8rem;border-radius:4px}
label{display:block;margin:.6rem 0}input{display:block;width:100%;box-sizing:border-box;padding:.45rem;font:inherit;margin-top:.2rem}
.actions{display:flex;gap:.8rem;margin-top:1rem}button{font:inherit;padding:.5rem 1rem;border-radius:4px;border:1px solid #1d4ed8;cursor:pointer}
.allow{background:#1d4ed8;color:#fff}.deny{background:#fff;color:#1d4ed8}`;

const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");

/**
 * No script, no external resource, no framing. form-action is left out on purpose: after the
 * form, the browser follows redirects to the client's own redirect URI, which form-action would
 * block in some browsers.
 */
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; frame-ancestors 'none'`;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** What each scope lets the app do (src/oauth/scopes.ts on the resource server decides it). */
const SCOPE_TEXT: Record<IssuedScope, string> = {
  "clicksend:read":
    "Read: look up messages, replies, contacts, lists, templates and the account, and preview sends",
  "clicksend:send":
    "Send: send messages, and change or delete contacts, lists, templates and other account data",
};

export interface ConsentView {
  /** The form posts here: /oauth/interaction/<uid>. */
  action: string;
  clientId: string;
  /** The client's own name for itself, if it gave one. */
  clientName: string | undefined;
  /** Where the answer goes: the redirect URI's host is what says who really asks. */
  redirectUri: string;
  scopes: IssuedScope[];
  username?: string;
  error?: string;
}

function host(uri: string): string {
  return URL.parse(uri)?.host || uri;
}

export function consentPage(view: ConsentView): string {
  // Hidden characters (bidi overrides, zero-width) shown as escapes: a name cannot pose as another.
  const name = view.clientName
    ? `<strong>${escapeHtml(showHidden(view.clientName))}</strong> <span class="note">(the name it gives itself)</span>`
    : "An app";
  const scopes = view.scopes.map((s) => `<li>${escapeHtml(SCOPE_TEXT[s])}</li>`).join("");
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : "";
  return page(
    "Allow access to ClickSend?",
    `<h1>Allow access to ClickSend?</h1>
<p>${name} asks to use this team's ClickSend account as you.</p>
<dl><dt>Answer goes to</dt><dd class="host">${escapeHtml(host(view.redirectUri))}</dd>
<dt>Client ID</dt><dd><code>${escapeHtml(showHidden(view.clientId))}</code></dd></dl>
<h2>It asks to</h2><ul>${scopes}</ul>
<p class="note">It gets only what the operator allows you; the rest is left out.</p>
${error}<form method="post" action="${escapeHtml(view.action)}">
<label>Username<input name="username" autocomplete="username" value="${escapeHtml(view.username ?? "")}"></label>
<label>Password<input type="password" name="password" autocomplete="current-password"></label>
<div class="actions"><button class="allow" name="action" value="approve">Sign in and allow</button>
<button class="deny" name="action" value="deny">Deny</button></div></form>`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** Headers every page of the built-in server carries. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": CSP,
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

export function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, "content-length": Buffer.byteLength(html) });
  res.end(html);
}
