/**
 * The send card's view: one self-contained HTML document, plain JavaScript, no build step. It
 * speaks the MCP Apps postMessage protocol to its host itself (JSON-RPC 2.0 with window.parent:
 * ui/initialize, then the preview's arguments and result as notifications, then tools/call for
 * send_previewed), which is small enough not to need the ext-apps App class and its zod.
 * Everything it shows is set as text, never as HTML. Its CSP repeats what the resource declares
 * to the host (no network), in case a host renders it without one. How it words a send (verb,
 * noun, what parts are called) is the channel's, from the catalogue.
 */
import type { ChannelWords } from "../sending/channel.js";

const STYLE = `
:root { color-scheme: light dark; font: 14px/1.45 system-ui, sans-serif; }
body { margin: 0; padding: 12px 14px; }
h1 { font-size: 1.05rem; margin: 0 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
dt { font-weight: 600; }
dd { margin: 0; }
ul { margin: 4px 0 8px; padding-left: 18px; }
.warnings { color: #8a5300; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #0b57d0;
  background: #0b57d0; color: #fff; cursor: pointer; }
button:disabled { background: #9aa5b1; border-color: #9aa5b1; cursor: default; }
button:focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
#status { margin: 8px 0 0; min-height: 1.4em; white-space: pre-line; }
#status.error { color: #b3261e; }
#status.done { color: #1e7b34; }
`;

const SCRIPT = String.raw`
"use strict";
var PREVIEW = document.body.dataset.preview;
var VERB = document.body.dataset.verb;
var NOUN = document.body.dataset.noun;
var PARTS = document.body.dataset.parts;
var DONE = document.body.dataset.done;
var state = { args: undefined, preview: undefined, sent: false, host: {} };
var nextId = 1;
var pending = new Map();
var $ = function (id) { return document.getElementById(id); };

function post(message) { window.parent.postMessage(Object.assign({ jsonrpc: "2.0" }, message), "*"); }
function request(method, params) {
  var id = nextId++;
  post({ id: id, method: method, params: params });
  return new Promise(function (resolve, reject) { pending.set(id, { resolve: resolve, reject: reject }); });
}
function notify(method, params) { post({ method: method, params: params }); }

window.addEventListener("message", function (event) {
  var m = event.data;
  if (event.source !== window.parent || !m || m.jsonrpc !== "2.0") return;
  if (m.method === undefined && pending.has(m.id)) {
    var waiting = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) waiting.reject(new Error(m.error.message || "the host refused"));
    else waiting.resolve(m.result);
  } else if (m.method === "ui/notifications/tool-input") {
    state.args = (m.params && m.params.arguments) || undefined;
    render();
  } else if (m.method === "ui/notifications/tool-result") {
    state.preview = m.params;
    render();
  } else if (m.method === "ui/notifications/host-context-changed") {
    theme(m.params);
  } else if (m.id !== undefined && m.method !== undefined) {
    // ui/resource-teardown and ping want an empty answer; nothing else is asked of a view.
    var known = m.method === "ui/resource-teardown" || m.method === "ping";
    post(known ? { id: m.id, result: {} } : { id: m.id, error: { code: -32601, message: "Method not found" } });
  }
});

function theme(context) {
  if (context && context.theme) document.documentElement.style.colorScheme = context.theme;
}

function mask(number) { return "***" + String(number).replace(/\D/g, "").slice(-3); }

function money(amount, currency) {
  if (typeof amount !== "number") return "unknown";
  try {
    if (currency) return new Intl.NumberFormat(undefined, { style: "currency", currency: currency, maximumFractionDigits: 4 }).format(amount);
  } catch (e) { /* not an ISO currency code: shown as given */ }
  return (currency ? currency + " " : "") + amount;
}

function row(list, term, value) {
  var dt = document.createElement("dt");
  var dd = document.createElement("dd");
  dt.textContent = term;
  dd.textContent = value;
  list.append(dt, dd);
}

function items(list, texts) {
  list.replaceChildren.apply(list, texts.map(function (text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  list.hidden = texts.length === 0;
}

function say(text, kind) {
  var status = $("status");
  status.className = kind || "";
  status.textContent = text;
}

function render() {
  var result = state.preview;
  if (!result) return;
  var data = result.structuredContent || {};
  $("title").textContent = VERB + " this " + NOUN + "?";
  if (result.isError) {
    say(text(result) || "The preview failed.", "error");
    $("send").disabled = true;
    return;
  }
  var facts = $("facts");
  facts.replaceChildren();
  row(facts, "Recipients", String(data.recipients) + (data.would_queue !== data.recipients ? " (" + data.would_queue + " would be sent)" : ""));
  row(facts, "Price", money(data.total_price, data.currency));
  var messages = Array.isArray(data.messages) ? data.messages : [];
  var parts = messages.reduce(function (sum, m) { return sum + (m.parts || 0); }, 0);
  var encodings = Array.from(new Set(messages.map(function (m) { return m.encoding; }))).join(", ");
  row(facts, PARTS, String(parts) + (encodings ? " (" + encodings + ")" : ""));
  if (data.confirmation_expires_at) row(facts, "Valid until", new Date(data.confirmation_expires_at).toLocaleTimeString());
  if (data.sandbox) row(facts, "Sandbox", "nothing is really sent");
  items($("recipients"), messages.map(function (m) {
    if (m.to !== undefined) return mask(m.to) + ": " + money(m.price, data.currency);
    return "list " + m.list_id + " (" + m.recipients + " numbers): " + money(m.price, data.currency);
  }).concat(data.truncated ? ["and more (the preview was cut)"] : []));
  items($("warnings"), Array.isArray(data.warnings) ? data.warnings : []);
  var button = $("send");
  var ready = !state.sent && state.args !== undefined && typeof data.confirmation === "string";
  button.disabled = !ready;
  button.textContent = VERB + " to " + data.would_queue + (data.would_queue === 1 ? " recipient" : " recipients") + " for " + money(data.total_price, data.currency);
  if (!state.sent && typeof data.confirmation !== "string") say("This preview has no confirmation, so the card cannot send it.", "error");
}

function text(result) {
  var first = (result.content || []).find(function (c) { return c.type === "text"; });
  return first ? first.text : "";
}

function outcome(result) {
  var data = result.structuredContent || {};
  if (result.isError) return { ok: false, text: text(result) || "Nothing was sent." };
  var said = data.replayed ? "Already sent earlier: " : DONE + ": ";
  said += (data.queued_count || 0) + " queued";
  if (data.failed_count) said += ", " + data.failed_count + " failed";
  said += ", " + money(data.total_price, data.currency);
  if (data.tag) said += ". Tag " + data.tag;
  if (data.sandbox) said += ". Sandbox: nothing was really sent";
  return { ok: true, text: said + "." };
}

$("send").addEventListener("click", function () {
  var data = (state.preview && state.preview.structuredContent) || {};
  var button = $("send");
  button.disabled = true;
  state.sent = true;
  say("Sending…");
  request("tools/call", {
    name: "send_previewed",
    arguments: { preview: PREVIEW, arguments: state.args, confirmation: data.confirmation },
  }).then(function (result) {
    var told = outcome(result);
    say(told.ok ? told.text : "Not sent: " + told.text, told.ok ? "done" : "error");
    // The model did not make this call: tell it, so it does not send the same again.
    if (state.host.updateModelContext) {
      request("ui/update-model-context", {
        content: [{ type: "text", text: "From the send card for " + PREVIEW + ": " + (told.ok ? told.text : "not sent. " + told.text) }],
      }).catch(function () {});
    }
  }, function (error) {
    say("Not sent: " + error.message, "error");
  });
});

new ResizeObserver(function () {
  notify("ui/notifications/size-changed", { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight });
}).observe(document.body);

request("ui/initialize", {
  appInfo: { name: "clicksend-send-card", version: "1.0.0" },
  appCapabilities: {},
  protocolVersion: "2026-01-26",
}).then(function (init) {
  state.host = (init && init.hostCapabilities) || {};
  theme(init && init.hostContext);
  notify("ui/notifications/initialized", {});
}, function (error) {
  say("The host did not start the card: " + error.message, "error");
});
`;

const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "connect-src 'none'",
  "frame-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join("; ");

/** The card for one preview tool; kind is the channel (sms, mms, voice). */
/** An attribute value, quoted: the catalogue's words are ours, but never trusted as markup. */
const attr = (value: string) =>
  `"${value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")}"`;

export function sendCardHtml({ preview, words }: { preview: string; words: ChannelWords }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Send card</title>
<style>${STYLE}</style>
</head>
<body data-preview=${attr(preview)} data-verb=${attr(words.verb)} data-noun=${attr(words.one)} data-parts=${attr(words.parts)} data-done=${attr(words.done)}>
<main aria-labelledby="title">
<h1 id="title">Waiting for the preview…</h1>
<dl id="facts" aria-label="Quote"></dl>
<ul id="recipients" aria-label="Recipients" hidden></ul>
<ul id="warnings" class="warnings" aria-label="Warnings" hidden></ul>
<button type="button" id="send" disabled>Send</button>
<p id="status" role="status" aria-live="polite"></p>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
