/**
 * npm run demo: starts the built server over stdio in sandbox mode, connects the SDK Client the
 * way a host does, lists the tools and calls a few, printing what an agent would see, each
 * server log line under the call that caused it, and a caption before each step; at the end,
 * what the server wrote to stderr, where a host keeps its log.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

// The shipped bin, as a host runs it.
const cli = fileURLToPath(new URL("../cli.js", import.meta.url));

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, "--sandbox"],
  stderr: "pipe",
});

/** Everything the server writes to stderr, shown once it has exited. */
const stderr: Buffer[] = [];
transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));

const client = new Client({ name: "clicksend-mcp-demo", version: "1.0.0" });

/**
 * The server's log lines for the call in progress. The server sends a call's logs to the client
 * as notifications/message on stdout, before the call's result on the same stream, so when the
 * result is in, every line the call logged is here: no waiting, nothing landing late.
 */
let logs: string[] = [];
client.setNotificationHandler("notifications/message", ({ params }) => {
  const data = typeof params.data === "string" ? params.data : JSON.stringify(params.data);
  logs.push(`${params.level}: ${data}`);
});

function printLogs(): void {
  for (const line of logs) console.log(`  | server log: ${line}`);
  logs = [];
}

const caption = (text: string) => console.log(`\n## ${text}`);

/** The next 03:00 in Sydney at least a day ahead, as ISO 8601 with Sydney's offset then. */
function sydneyAt3(): string {
  let ms = Math.ceil((Date.now() + 86_400_000) / 3_600_000) * 3_600_000;
  const parts = (at: number) =>
    Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: "Australia/Sydney",
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        timeZoneName: "longOffset",
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
  while (parts(ms).hour !== "03") ms += 3_600_000;
  const { year, month, day, timeZoneName } = parts(ms);
  return `${year}-${month}-${day}T03:00:00${String(timeZoneName).replace("GMT", "")}`;
}

caption("Start the server in sandbox mode, as a host does (no account, nothing really sent).");
await client.connect(transport);

caption("What the agent is offered: the default toolsets.");
const { tools } = await client.listTools();
console.log(`${tools.length} tools:`);
for (const tool of tools) {
  console.log(
    `  ${tool.name.padEnd(25)} ${tool.annotations?.readOnlyHint ? "read " : "write"}  ${tool.description}`,
  );
}

async function show(name: string, args: Record<string, unknown> = {}, on = client) {
  console.log(`\n> ${name} ${JSON.stringify(args)}`);
  const result = await on.callTool({ name, arguments: args });
  const text = (result.content as Array<{ type: string; text?: string }>)
    .flatMap((c) => (c.text === undefined ? [] : [c.text]))
    .join("\n");
  console.log(`${result.isError ? "(isError) " : ""}${text}`);
  printLogs();
}

caption("Look around: the account, countries, contact lists.");
await show("get_account");
await show("list_countries", { q: "austr" });
await show("list_contact_lists");

caption("A careful agent previews first: encoding, parts and price; nothing is sent.");
const booking = [
  { to: "0491 570 156", country: "AU", body: "Hi Sam, confirm your 10am booking? Reply YES" },
  { to: "0491 570 157", country: "AU", body: "Hi Alex, confirm your 11am booking? Reply YES" },
];
await show("preview_sms", { messages: booking });

caption("Then sends (in the sandbox: simulated, logged with masked numbers, never the text).");
await show("send_sms", { messages: booking });

caption("An agent's blind retry of the same send is refused, naming the first one.");
await show("send_sms", { messages: booking });

caption(
  "ClickSend lists receipts and replies only with a POLL rule; the sandbox account has both.",
);
await show("list_automation_rules");

caption("The sandbox delivers and reports back.");
await show("list_delivery_receipts");

caption(
  "Both people reply. The second reply is a prompt injection: it reaches the agent fenced in « », as data.",
);
await show("list_inbound_sms");

caption("Handled replies are marked read, or the next poll shows them again.");
await show("mark_inbound_sms_read", { all: true });

caption(
  "Grace replied Stop to the newsletter and is on the account's Opt Out list: typed in to, she is left out, so the send is refused.",
);
await show("send_sms", {
  messages: [{ to: "0400 555 123", country: "AU", body: "Hi Grace, our sale starts today!" }],
});

caption(
  "Jo answers a booking with STOP: the reply is marked opt_out, and the next send to Jo is refused before ClickSend's rule moves the number to the Opt Out list.",
);
await show("send_sms", {
  messages: [
    { to: "0491 570 737", country: "AU", body: "Hi Jo, confirm your 1pm booking? Reply YES" },
  ],
});
await show("list_inbound_sms");
await show("send_sms", {
  messages: [{ to: "0491 570 737", country: "AU", body: "Hi Jo, a reminder of your 1pm booking." }],
});

caption("Bad input is refused before any request, naming the field.");
await show("send_sms", { messages: [{ to: "+61 4111", body: "Hi" }] });

caption(
  "An operator's quiet hours (--quiet-hours 21:00-08:00, in each recipient's local time): a text scheduled for 3 a.m. in Sydney is refused.",
);
// A server of its own, so the sends above never meet quiet hours whatever the time of the run;
// its logs are not shown (the stderr section below is the first server's).
const quiet = new Client({ name: "clicksend-mcp-demo", version: "1.0.0" });
const quietTransport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, "--sandbox", "--quiet-hours", "21:00-08:00"],
  stderr: "ignore",
});
await quiet.connect(quietTransport);
await show(
  "send_sms",
  {
    messages: [
      { to: "+61491570156", body: "Reminder: your booking is today", schedule: sydneyAt3() },
    ],
  },
  quiet,
);
await quiet.close();

caption(
  "Replies pushed over HTTP: a server with CLICKSEND_WEBHOOK_SECRET takes ClickSend's URL rules at its webhook, and a client listening for a conversation is told when a reply comes.",
);
// A server over --http of its own; its sandbox runs URL rules as ClickSend does.
const pusher = spawn(process.execPath, [cli, "--sandbox", "--http", "--port", "0"], {
  env: { ...process.env, CLICKSEND_WEBHOOK_SECRET: randomBytes(24).toString("hex") },
  stdio: ["ignore", "ignore", "pipe"],
});
const pusherExited = new Promise((resolve) => pusher.once("exit", resolve));
const httpUrl = await new Promise<string>((resolve, reject) => {
  let err = "";
  pusher.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
    const found = /Streamable HTTP at (http:\S+)/.exec(err);
    if (found?.[1]) resolve(found[1]);
  });
  pusher.once("exit", () => reject(new Error(`the HTTP server exited:\n${err}`)));
});
const listener = new Client(
  { name: "clicksend-mcp-demo", version: "1.0.0" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } } },
);
await listener.connect(new StreamableHTTPClientTransport(new URL(httpUrl)));
const conversation = "clicksend://conversations/+61491570156";
const told = new Promise<string>((resolve) => {
  listener.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri));
});
await listener.listen({ resourceSubscriptions: [conversation] });
console.log(`(subscriptions/listen open for ${conversation})`);
// In sandbox mode the server's own loopback address may stand for the public https one.
await show(
  "create_automation_rule",
  { kind: "inbound", public_base_url: new URL(httpUrl).origin },
  listener,
);
await show(
  "send_sms",
  { messages: [{ to: "+61491570156", body: "Hi Sam, still on for 10am? Reply YES" }] },
  listener,
);
console.log(`(pushed) notifications/resources/updated ${await told}`);
await listener.close();
pusher.kill("SIGTERM");
await pusherExited;

await client.close();

caption(
  "What the server wrote to stderr, where a host keeps its log: its start, then each call's lines.",
);
// The stream ends when the server has exited: every line it wrote is in.
if (transport.stderr) await finished(transport.stderr as Readable);
for (const line of Buffer.concat(stderr).toString("utf8").split("\n").filter(Boolean)) {
  console.log(`  | stderr: ${line}`);
}
