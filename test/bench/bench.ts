/**
 * npm run bench: what a user of clicksend-mcp pays for it, measured in one run so the ratios hold
 * on a noisy machine, printed as one table and written as JSON to compare over time.
 *
 *   node dist/test/bench/bench.js [--out bench-results.json] [--runs 21] [--calls 1000]
 *                                 [--memory-calls 10000]
 *
 * - cold start: spawn to the tools/list response over raw JSON-RPC, round-robin between
 *   `node -e ''` (to exit), the minimal unbundled SDK server beside this file, and the shipped
 *   bundle (dist/cli.js) with dummy credentials;
 * - the tools/list result of the default toolsets and of all (--toolsets all), in bytes and in
 *   tokens counted by a real tokenizer (@anthropic-ai/tokenizer, a devDependency: never in the
 *   bin), total and per tool;
 * - the text an agent receives from list_contacts, send_sms, list_sms_history and
 *   list_inbound_sms (100 rows each) beside ClickSend's raw envelope for the same data, fetched
 *   from the same sandbox, in bytes and tokens, and what of it is fence tags
 *   (the « » marks around third-party text);
 * - per-call overhead: get_account through the server over stdio against GET /account directly;
 * - the first tool call after start against the warm ones, in fresh servers;
 * - memory: the server's RSS and heap (read by heap-probe.ts) after start and along 10,000
 *   get_account calls.
 * Not part of npm test: nothing here is asserted; the targets are reported.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Sandbox, startSandbox } from "../../sandbox/server.js";
import type { Contact } from "../../sandbox/state.js";
import { cleanEnv } from "../support/build.js";
import { LISTING_BUDGET } from "../support/listing-budget.js";
import { StdioServer } from "../support/stdio.js";
import { modelVisible } from "./listing.js";
import { type SendStateFigures, sendStateCost } from "./send-state.js";
import { freeTokenizer, tokensOf } from "./tokens.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The project root, seen from dist/test/bench/bench.js. */
const ROOT = resolve(HERE, "../../..");
const CLI = join(ROOT, "dist", "cli.js");
/** What scripts/build-bin.ts found in the bundle it wrote. */
const BUNDLE_META = join(ROOT, "dist", "bundle-meta.json");
const MINIMAL = join(HERE, "minimal-server.js");
const HEAP_PROBE = join(HERE, "heap-probe.js");

const TARGETS = {
  coldStartRatio: 0.4,
  defaultListTokens: LISTING_BUDGET.defaultTokens,
  catalogueTokens: LISTING_BUDGET.allTokens,
  /** A result's text against ClickSend's raw envelope, in tokens. */
  resultTokenRatio: 0.45,
  overheadP50Ms: 2,
  /** RSS after MEMORY_TARGET_CALLS get_account calls against RSS after start. */
  rssRatio: 1.6,
  firstCallRatio: 3,
  fileStoreAddedP50Ms: 2,
  /** SQLite's p50 over memory's, both holding 10,000 window entries and 10,000 previews. */
  filledStoreRatio: 1.25,
  /** Sends per second, 64 at a time, Redis store over memory store. */
  redisConcurrentRatio: 0.8,
  /** Sends per second, three HTTP instances on one Redis over one. */
  instancesRatio: 2,
  scriptCallsPerStep: 1.05,
};
const MEMORY_TARGET_CALLS = 5000;
/** Where the memory curve is read, in get_account calls. */
const MEMORY_MARKS = [1000, 2000, 5000, 10_000];
/** A host's model takes seconds to make its first tool call; the server is idle meanwhile. */
const FIRST_CALL_IDLE_MS = 1000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i === -1 ? undefined : process.argv[i + 1]) ?? fallback;
}

const RUNS = Number(option("runs", "21"));
const CALLS = Number(option("calls", "1000"));
const MEMORY_CALLS = Number(option("memory-calls", "10000"));
const SENDS = Number(option("sends", "300"));
const FIRST_CALL_RUNS = Number(option("first-call-runs", "7"));
const OUT = resolve(option("out", join(ROOT, "bench-results.json")));

// Statistics ----------------------------------------------------------------------------------

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = sorted[Math.floor(at)] as number;
  const hi = sorted[Math.ceil(at)] as number;
  return lo + (hi - lo) * (at - Math.floor(at));
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function spread(samples: number[]) {
  return {
    median: round(quantile(samples, 0.5), 1),
    p10: round(quantile(samples, 0.1), 1),
    p90: round(quantile(samples, 0.9), 1),
    min: round(Math.min(...samples), 1),
    max: round(Math.max(...samples), 1),
  };
}

// Talking to a server -------------------------------------------------------------------------

interface ToolResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: unknown;
}

const textOf = (result: ToolResult) =>
  result.content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");

/** A tool call's result, not validated: parsing it here would be timed as the server's. */
async function callTool(
  rpc: StdioServer,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  const response = await rpc.request("tools/call", { name, arguments: args });
  const result = response.result as ToolResult | undefined;
  if (!result || result.isError) {
    throw new Error(`${name} failed: ${result ? textOf(result) : JSON.stringify(response.error)}`);
  }
  return result;
}

/** initialize, notifications/initialized, then tools/list: a host starting a session. */
async function listTools(
  rpc: StdioServer,
): Promise<Array<{ name: string; outputSchema?: unknown }>> {
  await rpc.initialize();
  const listed = await rpc.request("tools/list");
  if (!listed.result) throw new Error(`tools/list failed: ${rpc.stderr}`);
  return listed.result.tools as Array<{ name: string; outputSchema?: unknown }>;
}

// Cold start ----------------------------------------------------------------------------------

const CREDENTIALS = { CLICKSEND_USERNAME: "bench-user", CLICKSEND_API_KEY: "BENCH-NOT-A-KEY" };

/** A server script to time to its tools/list response; none times `node -e ''` to its exit. */
const START_TARGETS: Array<{ name: string; script?: string; env: Record<string, string> }> = [
  { name: "node -e ''", env: cleanEnv() },
  { name: "minimal SDK server, unbundled", script: MINIMAL, env: cleanEnv() },
  { name: "clicksend-mcp (dist/cli.js)", script: CLI, env: cleanEnv(CREDENTIALS) },
];

async function coldStartOnce(target: (typeof START_TARGETS)[number]): Promise<number> {
  const started = performance.now();
  if (!target.script) {
    const child = spawn(process.execPath, ["-e", ""], { env: target.env, stdio: "ignore" });
    await new Promise((done) => child.on("exit", done));
    return performance.now() - started;
  }
  const rpc = StdioServer.spawn(process.execPath, [target.script], target.env);
  await listTools(rpc);
  const elapsed = performance.now() - started;
  await rpc.close();
  return elapsed;
}

async function coldStart() {
  const samples: number[][] = START_TARGETS.map(() => []);
  // An untimed round fills the file cache; then round-robin, so noise hits all three alike.
  for (const target of START_TARGETS) await coldStartOnce(target);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, target] of START_TARGETS.entries()) {
      samples[i]?.push(await coldStartOnce(target));
    }
  }
  const minimal = quantile(samples[1] ?? [], 0.5);
  return START_TARGETS.map(({ name }, i) => ({
    name,
    ms: spread(samples[i] ?? []),
    ratio: round(quantile(samples[i] ?? [], 0.5) / minimal),
  }));
}

// Against the sandbox -------------------------------------------------------------------------

const BENCH_USER = { username: "bench", apiKey: "BENCH-SANDBOX-KEY" };
const ROWS = 100;
const FULL_ROWS = 50;

const serverOn = (sandbox: Sandbox, nodeArgs: string[] = []) =>
  StdioServer.spawn(
    process.execPath,
    [...nodeArgs, CLI],
    cleanEnv({
      CLICKSEND_USERNAME: BENCH_USER.username,
      CLICKSEND_API_KEY: BENCH_USER.apiKey,
      CLICKSEND_BASE_URL: sandbox.baseUrl,
    }),
  );

/** ClickSend's raw answer, straight from the sandbox with Basic auth. */
function direct(sandbox: Sandbox) {
  const authorization = `Basic ${Buffer.from(`${BENCH_USER.username}:${BENCH_USER.apiKey}`).toString("base64")}`;
  return async (method: "GET" | "POST", path: string, body?: unknown): Promise<string> => {
    const response = await fetch(`${sandbox.baseUrl}/${path}`, {
      method,
      headers: {
        authorization,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /${path}: HTTP ${response.status} ${text}`);
    return text;
  };
}

const FIRST = ["Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack"];
const LAST = ["Nguyen", "Smith", "Patel", "Brown", "Garcia", "Wilson", "Khan", "Lee", "Taylor"];
/** Valid Australian mobile numbers (+61 412 00x xxx), none of them ClickSend test numbers. */
const mobile = (i: number) => `+6141200${String(i).padStart(4, "0")}`;

/** A list of `rows` contacts: names, a number and an email, plus what `more` adds to each. */
function seedContacts(
  sandbox: Sandbox,
  name: string,
  rows: number,
  more: (i: number, last: string) => Partial<Contact>,
): number {
  const list = sandbox.state.createList(name);
  for (let i = 0; i < rows; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[i % LAST.length] as string;
    sandbox.state.createContact(list.list_id, {
      phone_number: mobile(i),
      first_name: first,
      last_name: last,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      address_country: "AU",
      ...more(i, last),
    });
  }
  return list.list_id;
}

/** Contacts as a web form fills them: organisation, street and a note, several words each. */
const fullContact = (i: number, last: string): Partial<Contact> => ({
  organization_name: `${last} & Sons Pty Ltd`,
  address_line_1: `${i + 1} High Street`,
  address_city: "North Sydney",
  address_state: "NSW",
  address_postal_code: "2060",
  custom_1: "Prefers a call in the morning",
});

/** Two texts of 100 characters, a common length for a reminder; history shows the first. */
const TEXTS = [
  "Hi from Acme Dental: your appointment is tomorrow at 10:00. Reply YES to confirm or STOP to opt out.",
  "Hi from Acme Dental: your appointment is tomorrow at 11:30. Reply YES to confirm or STOP to opt out.",
] as const;

const sendPayload = (body: string) => ({
  messages: Array.from({ length: ROWS }, (_, i) => ({ to: mobile(i), body })),
});

/** The bytes of fence marks in a text: what fencing adds to text with nothing to escape. */
const fenceBytes = (text: string) => Buffer.byteLength((text.match(/[«»]/g) ?? []).join(""));

async function resultSizes(sandbox: Sandbox) {
  const http = direct(sandbox);
  const listId = seedContacts(sandbox, "Bench customers", ROWS, () => ({ address_city: "Sydney" }));
  const fullListId = seedContacts(sandbox, "Bench leads", FULL_ROWS, fullContact);
  const server = serverOn(sandbox);
  const rows: Array<{
    name: string;
    text: number;
    textTokens: number;
    fences: number;
    /** The result cap cut it: its ratio to the raw page means little. */
    cut: boolean;
    structured: number;
    raw: number;
    rawTokens: number;
  }> = [];
  const add = (name: string, result: ToolResult, raw: string) =>
    rows.push({
      name,
      text: Buffer.byteLength(textOf(result)),
      textTokens: tokensOf(textOf(result)),
      fences: fenceBytes(textOf(result)),
      cut:
        (result.structuredContent as { truncated?: unknown } | undefined)?.truncated !== undefined,
      structured: Buffer.byteLength(JSON.stringify(result.structuredContent ?? null)),
      raw: Buffer.byteLength(raw),
      rawTokens: tokensOf(raw),
    });
  try {
    await listTools(server);
    add(
      `list_contacts (${ROWS} contacts)`,
      await callTool(server, "list_contacts", { list_id: listId, limit: ROWS }),
      await http("GET", `lists/${listId}/contacts?page=1&limit=${ROWS}`),
    );
    // The same recipients, sent once directly and once through the tool, texts of one length;
    // the history page then holds the directly sent ones.
    const rawSend = await http("POST", "sms/send", sendPayload(TEXTS[0]));
    add(
      `send_sms (${ROWS} recipients)`,
      await callTool(server, "send_sms", sendPayload(TEXTS[1])),
      rawSend,
    );
    const rawHistory = await http("GET", `sms/history?page=1&limit=${ROWS}`);
    add(
      `list_sms_history (${ROWS} messages of ${TEXTS[0].length} chars, with text)`,
      await callTool(server, "list_sms_history", { limit: ROWS, include_body: true }),
      rawHistory,
    );
    add(
      `list_sms_history (${ROWS} messages, default: no text)`,
      await callTool(server, "list_sms_history", { limit: ROWS }),
      rawHistory,
    );
    // Half a page: a hundred of these pass the result cap (~10k tokens), which would cut them.
    add(
      `list_contacts (${FULL_ROWS} contacts with organisation, street and a note)`,
      await callTool(server, "list_contacts", { list_id: fullListId, limit: FULL_ROWS }),
      await http("GET", `lists/${fullListId}/contacts?page=1&limit=${FULL_ROWS}`),
    );
    // A number that answers each text: the replies are the texts just sent, answered.
    await http("POST", "sms/send", {
      messages: Array.from({ length: ROWS }, () => ({ to: "+61491570156", body: TEXTS[0] })),
    });
    add(
      `list_inbound_sms (${ROWS} replies)`,
      await callTool(server, "list_inbound_sms", { limit: ROWS }),
      await http("GET", `sms/inbound?page=1&limit=${ROWS}`),
    );
  } finally {
    await server.close();
  }
  return rows.map((row) => ({
    ...row,
    ratio: round(row.text / row.raw),
    tokenRatio: round(row.textTokens / row.rawTokens),
    ratioUnfenced: round((row.text - row.fences) / row.raw),
  }));
}

/** get_account over stdio against GET /account directly, call by call. */
async function overhead(sandbox: Sandbox) {
  const http = direct(sandbox);
  const server = serverOn(sandbox);
  try {
    await listTools(server);
    for (let i = 0; i < 50; i++) {
      await callTool(server, "get_account");
      await http("GET", "account");
    }
    const viaServer: number[] = [];
    const viaHttp: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      let t = performance.now();
      await callTool(server, "get_account");
      viaServer.push(performance.now() - t);
      t = performance.now();
      await http("GET", "account");
      viaHttp.push(performance.now() - t);
    }
    const p50 = (samples: number[]) => round(quantile(samples, 0.5), 3);
    const p99 = (samples: number[]) => round(quantile(samples, 0.99), 3);
    return {
      calls: CALLS,
      server: { p50: p50(viaServer), p99: p99(viaServer) },
      direct: { p50: p50(viaHttp), p99: p99(viaHttp) },
      addedP50: round(p50(viaServer) - p50(viaHttp), 3),
      addedP99: round(p99(viaServer) - p99(viaHttp), 3),
    };
  } finally {
    await server.close();
  }
}

/** The first get_account of fresh servers against their next twenty, after an idle wait. */
async function firstCall(sandbox: Sandbox, idleMs: number, runs: number) {
  const ratios: number[] = [];
  const firsts: number[] = [];
  const warms: number[] = [];
  for (let run = 0; run < runs; run++) {
    const server = serverOn(sandbox);
    try {
      await listTools(server);
      await new Promise((settle) => setTimeout(settle, idleMs));
      let t = performance.now();
      await callTool(server, "get_account");
      const first = performance.now() - t;
      const next: number[] = [];
      for (let i = 0; i < 20; i++) {
        t = performance.now();
        await callTool(server, "get_account");
        next.push(performance.now() - t);
      }
      const warm = quantile(next, 0.5);
      firsts.push(first);
      warms.push(warm);
      ratios.push(first / warm);
    } finally {
      await server.close();
    }
  }
  return {
    idleMs,
    runs,
    firstMs: round(quantile(firsts, 0.5)),
    warmMs: round(quantile(warms, 0.5)),
    ratio: round(quantile(ratios, 0.5)),
  };
}

interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** The server's memory as heap-probe.ts reports it on SIGUSR2 (bytes), RSS from /proc. */
async function probe(server: StdioServer): Promise<MemoryUsage> {
  const before = server.stderr.split("heap-probe ").length;
  process.kill(server.pid, "SIGUSR2");
  for (let i = 0; i < 200; i++) {
    const parts = server.stderr.split("heap-probe ");
    if (parts.length > before) {
      const usage = JSON.parse((parts.at(-1) ?? "").split("\n")[0] ?? "") as MemoryUsage;
      return { ...usage, rss: server.rssKb() * 1024 };
    }
    await new Promise((settle) => setTimeout(settle, 10));
  }
  throw new Error("the heap probe did not answer");
}

/** get_account, one call at a time, MEMORY_CALLS of them: RSS and heap at each mark. */
async function memoryCurve(sandbox: Sandbox) {
  const server = serverOn(sandbox, ["--import", HEAP_PROBE]);
  try {
    await listTools(server);
    // After the idle warm-up (WARM_UP_AFTER_MS), which loads the HTTP stack: the server's start.
    await new Promise((settle) => setTimeout(settle, FIRST_CALL_IDLE_MS));
    const start = await probe(server);
    const marks: Array<{ calls: number } & MemoryUsage> = [];
    for (let calls = 1; calls <= MEMORY_CALLS; calls++) {
      await callTool(server, "get_account");
      if (MEMORY_MARKS.includes(calls) || calls === MEMORY_CALLS) {
        if (marks.at(-1)?.calls !== calls) marks.push({ calls, ...(await probe(server)) });
      }
    }
    const atTarget = marks.find((m) => m.calls === MEMORY_TARGET_CALLS) ?? marks.at(-1);
    return {
      start,
      marks,
      targetCalls: atTarget?.calls ?? 0,
      rssRatio: round((atTarget?.rss ?? Number.NaN) / start.rss),
    };
  } finally {
    await server.close();
  }
}

// Report --------------------------------------------------------------------------------------

type Row = [measure: string, value: string, target: string, status: string];

const verdict = (pass: boolean) => (pass ? "ok" : "MISSED");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const thousands = (n: number) => n.toLocaleString("en-US");

function table(rows: Row[]): string {
  const header: Row = ["Measure", "Value", "Target", ""];
  const widths = header.map((_, i) =>
    Math.max(...[header, ...rows].map((row) => (row[i] ?? "").length)),
  );
  const format = (row: Row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(format)].join(
    "\n",
  );
}

/**
 * tools/list of the bin started with args: bytes and tokens of what the model sees, in all and per
 * tool, and the bytes of the output schemas hosts keep to themselves.
 */
async function listing(args: string[]) {
  const lister = StdioServer.spawn(process.execPath, [CLI, ...args], cleanEnv(CREDENTIALS));
  const tools = await listTools(lister);
  await lister.close();
  const measure = (value: unknown) => {
    const json = JSON.stringify(value);
    return { bytes: Buffer.byteLength(json), tokens: tokensOf(json) };
  };
  const visible = tools.map(modelVisible);
  return {
    total: { tools: tools.length, ...measure({ tools: visible }) },
    perTool: visible.map((tool) => ({ name: tool.name, ...measure(tool) })),
    outputSchemaBytes: Buffer.byteLength(JSON.stringify(tools.map((tool) => tool.outputSchema))),
  };
}

/** Redis under load: 64 sends at a time in one process and over instances, script calls a step. */
function sendStateRateRows(figures: SendStateFigures): Row[] {
  const { concurrent, instances } = figures;
  if (!concurrent || !instances) {
    return [["send_sms with the redis store", "not measured: no redis-server", "", ""]];
  }
  return [
    [
      `send_sms, ${concurrent.clients} at a time in one process: redis vs memory store`,
      `${concurrent.redis.toFixed(0)} vs ${concurrent.memory.toFixed(0)} sends/s = ${concurrent.ratio.toFixed(2)}x`,
      `>= ${TARGETS.redisConcurrentRatio}x`,
      verdict(concurrent.ratio >= TARGETS.redisConcurrentRatio),
    ],
    [
      "  redis script calls per step",
      concurrent.callsPerStep.toFixed(3),
      `<= ${TARGETS.scriptCallsPerStep}`,
      verdict(concurrent.callsPerStep <= TARGETS.scriptCallsPerStep),
    ],
    [
      `send_sms, ${instances.clients} at a time over HTTP: 3 instances vs 1 on one redis`,
      `${instances.three.toFixed(0)} vs ${instances.one.toFixed(0)} sends/s = ${instances.ratio.toFixed(2)}x (cores busy with one instance: bench ${instances.cores.bench.toFixed(2)} + instance ${instances.cores.one.toFixed(2)} of ${availableParallelism()}; three instances ${instances.cores.three.toFixed(2)})`,
      `>= ${TARGETS.instancesRatio}x`,
      verdict(instances.ratio >= TARGETS.instancesRatio),
    ],
  ];
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const started = new Date();
  process.stderr.write(`cold start: ${RUNS} runs of each, round-robin...\n`);
  const starts = await coldStart();
  const bundle = JSON.parse(readFileSync(BUNDLE_META, "utf8")) as {
    startBytes: number;
    unneededAtStart: string[];
  };

  const defaultList = await listing([]);
  const catalogue = await listing(["--toolsets", "all"]);

  process.stderr.write("result sizes, overhead and memory against the sandbox...\n");
  const sandbox = await startSandbox({
    ...BENCH_USER,
    rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
  });
  let results: Awaited<ReturnType<typeof resultSizes>>;
  let perCall: Awaited<ReturnType<typeof overhead>>;
  let memory: Awaited<ReturnType<typeof memoryCurve>>;
  let first: Awaited<ReturnType<typeof firstCall>>;
  let firstNoIdle: Awaited<ReturnType<typeof firstCall>>;
  try {
    const user = sandbox.state.users[0];
    if (user) user.balance = 1_000_000;
    results = await resultSizes(sandbox);
    perCall = await overhead(sandbox);
    process.stderr.write(`first calls: ${FIRST_CALL_RUNS} fresh servers, twice...\n`);
    first = await firstCall(sandbox, FIRST_CALL_IDLE_MS, FIRST_CALL_RUNS);
    firstNoIdle = await firstCall(sandbox, 0, FIRST_CALL_RUNS);
    process.stderr.write(`memory: ${MEMORY_CALLS} get_account calls...\n`);
    memory = await memoryCurve(sandbox);
  } finally {
    await sandbox.close();
  }
  process.stderr.write(`send state: ${SENDS} sends with each store...\n`);
  const stores = await sendStateCost(SENDS);
  const ours = starts[2] as (typeof starts)[number];

  const figures = {
    date: started.toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: availableParallelism(),
      loadavg: loadavg().map((load) => round(load)),
    },
    targets: TARGETS,
    coldStart: {
      runs: RUNS,
      servers: starts,
      ok: ours.ratio <= TARGETS.coldStartRatio,
      startBytes: bundle.startBytes,
      unneededAtStart: bundle.unneededAtStart,
    },
    toolsList: {
      default: { ...defaultList.total, ok: defaultList.total.tokens <= TARGETS.defaultListTokens },
      all: { ...catalogue.total, ok: catalogue.total.tokens <= TARGETS.catalogueTokens },
      outputSchemaBytes: catalogue.outputSchemaBytes,
      perTool: catalogue.perTool.map((tool) => ({
        ...tool,
        default: defaultList.perTool.some((t) => t.name === tool.name),
      })),
    },
    // Pages are held to half the raw envelope; a send's summary is reported beside it.
    results: results.map((r) => ({ ...r, ok: r.tokenRatio <= TARGETS.resultTokenRatio })),
    overhead: { ...perCall, ok: perCall.addedP50 <= TARGETS.overheadP50Ms },
    firstCall: {
      ...first,
      ok: first.ratio <= TARGETS.firstCallRatio,
      withoutIdle: firstNoIdle,
    },
    memory: { ...memory, ok: memory.rssRatio <= TARGETS.rssRatio },
    sendState: {
      ...stores,
      sequential: stores.sequential.map((s) => ({
        ...s,
        ok: s.store === "sqlite" ? s.addedP50 <= TARGETS.fileStoreAddedP50Ms : null,
      })),
      filled: stores.filled.map((s) => ({
        ...s,
        ok: s.store.startsWith("sqlite")
          ? s.addedP50 <= TARGETS.fileStoreAddedP50Ms && s.ratioP50 <= TARGETS.filledStoreRatio
          : null,
      })),
    },
  };

  const rows: Row[] = [
    ...starts.map(
      (s): Row => [
        `cold start to tools/list: ${s.name}`,
        `${s.ms.median.toFixed(1)} ms [p10 ${s.ms.p10.toFixed(0)}, p90 ${s.ms.p90.toFixed(0)}] = ${s.ratio.toFixed(2)}x`,
        s === ours ? `<= ${TARGETS.coldStartRatio}x minimal` : "",
        s === ours ? verdict(figures.coldStart.ok) : "",
      ],
    ),
    ["  code dist/cli.js loads at start", kb(bundle.startBytes), "", ""],
    ...bundle.unneededAtStart.map(
      (what): Row => ["  loaded at start, not needed by tools/list", what, "none", "MISSED"],
    ),
    [
      `tools/list, default toolsets (${figures.toolsList.default.tools} tools)`,
      `${thousands(figures.toolsList.default.tokens)} tokens, ${thousands(figures.toolsList.default.bytes)} B`,
      `<= ${thousands(TARGETS.defaultListTokens)} tokens`,
      verdict(figures.toolsList.default.ok),
    ],
    [
      `tools/list, --toolsets all (${figures.toolsList.all.tools} tools)`,
      `${thousands(figures.toolsList.all.tokens)} tokens, ${thousands(figures.toolsList.all.bytes)} B`,
      `<= ${thousands(TARGETS.catalogueTokens)} tokens`,
      verdict(figures.toolsList.all.ok),
    ],
    [
      "  outputSchema of all (for the host, not the model)",
      `${thousands(figures.toolsList.outputSchemaBytes)} B`,
      "",
      "",
    ],
    ...figures.toolsList.perTool.map(
      (t): Row => [
        `  ${t.name}${t.default ? "" : " (not default)"}`,
        `${t.tokens} tokens, ${t.bytes} B`,
        "",
        "",
      ],
    ),
    ...figures.results.map(
      (r): Row => [
        `result text: ${r.name}`,
        `${thousands(r.textTokens)} vs raw ${thousands(r.rawTokens)} tokens = ${r.tokenRatio.toFixed(2)}x; ${thousands(r.text)} vs ${thousands(r.raw)} B = ${r.ratio.toFixed(2)}x; fence marks ${r.fences} B${r.cut ? "; CUT by the result cap" : ""}`,
        `<= ${TARGETS.resultTokenRatio}x raw tokens`,
        verdict(r.ok),
      ],
    ),
    [
      `get_account over stdio vs GET /account, ${perCall.calls} calls`,
      `p50 ${perCall.server.p50.toFixed(2)} vs ${perCall.direct.p50.toFixed(2)} ms = +${perCall.addedP50.toFixed(2)} ms`,
      `<= +${TARGETS.overheadP50Ms} ms`,
      verdict(figures.overhead.ok),
    ],
    [
      "",
      `p99 ${perCall.server.p99.toFixed(2)} vs ${perCall.direct.p99.toFixed(2)} ms = +${perCall.addedP99.toFixed(2)} ms`,
      "",
      "",
    ],
    [
      `first get_account after tools/list and ${first.idleMs} ms idle, vs warm (median of ${first.runs} servers)`,
      `${first.firstMs.toFixed(1)} vs ${first.warmMs.toFixed(1)} ms = ${first.ratio.toFixed(1)}x`,
      `<= ${TARGETS.firstCallRatio}x`,
      verdict(figures.firstCall.ok),
    ],
    [
      "  the same with no idle time (warm-up not yet run)",
      `${firstNoIdle.firstMs.toFixed(1)} vs ${firstNoIdle.warmMs.toFixed(1)} ms = ${firstNoIdle.ratio.toFixed(1)}x`,
      "",
      "",
    ],
    [
      "server after start: RSS, heap used / total",
      `${mb(memory.start.rss)}, ${mb(memory.start.heapUsed)} / ${mb(memory.start.heapTotal)}`,
      "",
      "",
    ],
    ...memory.marks.map((m): Row => {
      const ratio = m.rss / memory.start.rss;
      const target = m.calls === memory.targetCalls;
      return [
        `  after ${thousands(m.calls)} get_account calls`,
        `${mb(m.rss)} = ${ratio.toFixed(2)}x start; heap ${mb(m.heapUsed)} / ${mb(m.heapTotal)}`,
        target ? `<= ${TARGETS.rssRatio}x start` : "",
        target ? verdict(figures.memory.ok) : "",
      ];
    }),
    ...[...figures.sendState.sequential, ...figures.sendState.filled].map(
      (s): Row => [
        `send_sms with the ${s.store} store, ${SENDS} sends one at a time`,
        s.store.startsWith("memory")
          ? `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`
          : `p50 ${s.p50.toFixed(2)} ms (+${s.addedP50.toFixed(2)} = ${s.ratioP50.toFixed(2)}x), p99 ${s.p99.toFixed(2)} ms (+${s.addedP99.toFixed(2)})`,
        s.ok === null
          ? ""
          : s.store.includes("filled")
            ? `<= +${TARGETS.fileStoreAddedP50Ms} ms and <= ${TARGETS.filledStoreRatio}x p50 over memory`
            : `<= +${TARGETS.fileStoreAddedP50Ms} ms p50 over memory`,
        s.ok === null ? "" : verdict(s.ok),
      ],
    ),
    ["  filled: window entries and unused previews each", thousands(stores.filledEntries), "", ""],
    ...sendStateRateRows(stores),
  ];

  const m = figures.machine;
  console.log(
    `clicksend-mcp benchmark, ${figures.date}: Node ${m.node}, ${m.platform}, ${m.cpus} CPUs, load ${m.loadavg.join(" ")}\n`,
  );
  freeTokenizer();
  console.log(table(rows));
  // In Biome's JSON style, so a results file left in the checkout passes the next npm run lint.
  const biome = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
  const json = `${JSON.stringify(figures, null, 2)}\n`;
  writeFileSync(
    OUT,
    execFileSync(process.execPath, [biome, "format", "--stdin-file-path=bench.json"], {
      cwd: ROOT,
      input: json,
      encoding: "utf8",
    }),
  );
  console.log(`\nFigures written to ${relative(process.cwd(), OUT) || OUT}.`);
}

await main();
