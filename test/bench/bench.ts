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
 *   (<untrusted>…</untrusted>);
 * - per-call overhead: get_account through the server over stdio against GET /account directly;
 * - memory: the server's RSS after start and after the tool calls.
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
import { StdioServer } from "../support/stdio.js";
import { modelVisible } from "./listing.js";
import { sendStateCost } from "./send-state.js";
import { freeTokenizer, tokensOf } from "./tokens.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The project root, seen from dist/test/bench/bench.js. */
const ROOT = resolve(HERE, "../../..");
const CLI = join(ROOT, "dist", "cli.js");
/** What scripts/build-bin.ts found in the bundle it wrote. */
const BUNDLE_META = join(ROOT, "dist", "bundle-meta.json");
const MINIMAL = join(HERE, "minimal-server.js");

const TARGETS = {
  coldStartRatio: 0.75,
  defaultListTokens: 5500,
  catalogueTokens: 9000,
  resultRatio: 0.5,
  overheadP50Ms: 2,
  rssGrowth: 0.1,
  fileStoreAddedP50Ms: 2,
};

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i === -1 ? undefined : process.argv[i + 1]) ?? fallback;
}

const RUNS = Number(option("runs", "21"));
const CALLS = Number(option("calls", "1000"));
const MEMORY_CALLS = Number(option("memory-calls", "10000"));
const SENDS = Number(option("sends", "300"));
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

const serverOn = (sandbox: Sandbox) =>
  StdioServer.spawn(
    process.execPath,
    [CLI],
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

/** The bytes of fence tags in a text: what fencing adds to text with nothing to escape. */
const fenceBytes = (text: string) =>
  (text.match(/<\/?untrusted>/g) ?? []).reduce((sum, tag) => sum + tag.length, 0);

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
    ratioUnfenced: round((row.text - row.fences) / row.raw),
  }));
}

/** get_account over stdio against GET /account directly, call by call; then RSS. */
async function overheadAndMemory(sandbox: Sandbox) {
  const http = direct(sandbox);
  const server = serverOn(sandbox);
  try {
    await listTools(server);
    await new Promise((settle) => setTimeout(settle, 200));
    const rssStart = server.rssKb();

    let calls = 0;
    const call = (name: string, args: Record<string, unknown> = {}) => {
      calls++;
      return callTool(server, name, args);
    };
    for (let i = 0; i < 50; i++) {
      await call("get_account");
      await http("GET", "account");
    }
    const viaServer: number[] = [];
    const viaHttp: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      let t = performance.now();
      await call("get_account");
      viaServer.push(performance.now() - t);
      t = performance.now();
      await http("GET", "account");
      viaHttp.push(performance.now() - t);
    }
    // Warm: every module a call needs is loaded and compiled, and V8 has sized its heap.
    const warmCalls = calls;
    const rssWarm = server.rssKb();

    // The rest of the calls: a rotation of reads, four in flight like a busy host.
    const listId = sandbox.state.lists[0]?.list_id;
    const rotation: Array<[string, Record<string, unknown>]> = [
      ["get_account", {}],
      ["list_contact_lists", {}],
      ["list_contacts", { list_id: listId }],
      ["list_sms_history", { limit: 15 }],
    ];
    const worker = async () => {
      while (calls < MEMORY_CALLS) {
        const [name, args] = rotation[calls % rotation.length] as (typeof rotation)[number];
        await call(name, args);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise((settle) => setTimeout(settle, 200));
    const rssAfter = server.rssKb();

    const p50 = (samples: number[]) => round(quantile(samples, 0.5), 3);
    const p99 = (samples: number[]) => round(quantile(samples, 0.99), 3);
    return {
      overhead: {
        calls: CALLS,
        server: { p50: p50(viaServer), p99: p99(viaServer) },
        direct: { p50: p50(viaHttp), p99: p99(viaHttp) },
        addedP50: round(p50(viaServer) - p50(viaHttp), 3),
        addedP99: round(p99(viaServer) - p99(viaHttp), 3),
      },
      memory: {
        rssStartKb: rssStart,
        warmCalls,
        rssWarmKb: rssWarm,
        calls,
        rssAfterKb: rssAfter,
        growth: round((rssAfter - rssStart) / rssStart, 3),
        growthSinceWarm: round((rssAfter - rssWarm) / rssWarm, 3),
      },
    };
  } finally {
    await server.close();
  }
}

// Report --------------------------------------------------------------------------------------

type Row = [measure: string, value: string, target: string, status: string];

const verdict = (pass: boolean) => (pass ? "ok" : "MISSED");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
const mb = (kilobytes: number) => `${(kilobytes / 1024).toFixed(1)} MB`;
const percent = (fraction: number) => `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
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
  let perCall: Awaited<ReturnType<typeof overheadAndMemory>>;
  try {
    const user = sandbox.state.users[0];
    if (user) user.balance = 1_000_000;
    results = await resultSizes(sandbox);
    perCall = await overheadAndMemory(sandbox);
  } finally {
    await sandbox.close();
  }
  const { overhead, memory } = perCall;
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
    results: results.map((r) => ({
      ...r,
      ok: r.name.startsWith("send_") ? null : r.ratio <= TARGETS.resultRatio,
    })),
    overhead: { ...overhead, ok: overhead.addedP50 <= TARGETS.overheadP50Ms },
    memory: { ...memory, ok: memory.growth <= TARGETS.rssGrowth },
    sendState: stores.map((s) => ({
      ...s,
      ok: s.store === "file" ? s.addedP50 <= TARGETS.fileStoreAddedP50Ms : null,
    })),
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
        `${thousands(r.textTokens)} vs raw ${thousands(r.rawTokens)} tokens; ${r.text} vs ${r.raw} B = ${r.ratio.toFixed(2)}x; fence tags ${r.fences} B, ${r.ratioUnfenced.toFixed(2)}x without${r.cut ? "; CUT by the result cap" : ""}`,
        r.ok === null ? "" : `<= ${TARGETS.resultRatio}x raw`,
        r.ok === null ? "" : verdict(r.ok),
      ],
    ),
    [
      `get_account over stdio vs GET /account, ${overhead.calls} calls`,
      `p50 ${overhead.server.p50.toFixed(2)} vs ${overhead.direct.p50.toFixed(2)} ms = +${overhead.addedP50.toFixed(2)} ms`,
      `<= +${TARGETS.overheadP50Ms} ms`,
      verdict(figures.overhead.ok),
    ],
    [
      "",
      `p99 ${overhead.server.p99.toFixed(2)} vs ${overhead.direct.p99.toFixed(2)} ms = +${overhead.addedP99.toFixed(2)} ms`,
      "",
      "",
    ],
    ["server RSS after start", mb(memory.rssStartKb), "", ""],
    [`server RSS after ${memory.warmCalls} tool calls (warm)`, mb(memory.rssWarmKb), "", ""],
    [
      `server RSS after ${memory.calls} tool calls`,
      `${mb(memory.rssAfterKb)} = ${percent(memory.growth)} on start, ${percent(memory.growthSinceWarm)} on warm`,
      `<= +${TARGETS.rssGrowth * 100}% on start`,
      verdict(figures.memory.ok),
    ],
    ...figures.sendState.map(
      (s): Row => [
        `send_sms with the ${s.store} store, ${SENDS} sends`,
        s.store === "memory"
          ? `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`
          : `p50 ${s.p50.toFixed(2)} ms (+${s.addedP50.toFixed(2)}), p99 ${s.p99.toFixed(2)} ms (+${s.addedP99.toFixed(2)})`,
        s.ok === null ? "" : `<= +${TARGETS.fileStoreAddedP50Ms} ms p50 over memory`,
        s.ok === null ? "" : verdict(s.ok),
      ],
    ),
    ...(stores.some((s) => s.store === "redis")
      ? []
      : [["send_sms with the redis store", "not measured: no redis-server", "", ""] as Row]),
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
