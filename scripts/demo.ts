/**
 * npm run demo: starts the built server over stdio in sandbox mode, connects the SDK Client the
 * way a host does, lists the tools and calls a few, printing what an agent would see.
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

// The shipped bin, as a host runs it.
const cli = fileURLToPath(new URL("../cli.js", import.meta.url));

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, "--sandbox"],
  stderr: "inherit",
});
const client = new Client({ name: "clicksend-mcp-demo", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
console.log(`\n${tools.length} tools:`);
for (const tool of tools) {
  console.log(
    `  ${tool.name.padEnd(24)} ${tool.annotations?.readOnlyHint ? "read " : "write"}  ${tool.description}`,
  );
}

async function show(name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as Array<{ type: string; text?: string }>)
    .map((c) => c.text ?? "")
    .join("\n");
  console.log(`\n> ${name} ${JSON.stringify(args)}${result.isError ? "  (isError)" : ""}\n${text}`);
}

await show("get_account");
await show("list_countries", { q: "austr" });
await show("list_contact_lists");

// A careful agent previews first: encoding, parts and price, nothing sent.
const booking = [
  { to: "0491 570 156", country: "AU", body: "Hi Sam, confirm your 10am booking? Reply YES" },
];
await show("preview_sms", { messages: booking });
await show("send_sms", { messages: booking });
// An agent's blind retry of the same send is held back.
await show("send_sms", { messages: booking });
// ClickSend lists receipts and replies only with a POLL rule; the sandbox account has both.
await show("list_automation_rules");
// The sandbox delivers, reports back and replies (the reply is fenced as untrusted text).
await show("list_delivery_receipts");
await show("list_inbound_sms");
// Handled replies are marked read, or the next poll shows them again.
await show("mark_inbound_sms_read", { all: true });
// Bad input is refused before any request, naming the field.
await show("send_sms", { messages: [{ to: "+61 4111", body: "Hi" }] });
await client.close();
