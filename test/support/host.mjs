// A host for test/host-gone.test.ts: starts the server given in argv over stdio (Node's pipes,
// which are sockets), opens an MCP session, makes one call to see it served, optionally leaves a
// send in flight, prints the server's pid, then waits to be killed.
import { spawn } from "node:child_process";

const [cli, flight] = process.argv.slice(2);
const server = spawn(process.execPath, [cli], {
  stdio: ["pipe", "pipe", "pipe"],
  env: process.env,
});
server.stderr.resume();
const send = (message) => server.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
const call = (id, name, args) =>
  send({ id, method: "tools/call", params: { name, arguments: args } });
let lines = "";
server.stdout.on("data", (chunk) => {
  lines += chunk;
  for (let end = lines.indexOf("\n"); end >= 0; end = lines.indexOf("\n")) {
    const { id } = JSON.parse(lines.slice(0, end));
    lines = lines.slice(end + 1);
    if (id === 1) {
      send({ method: "notifications/initialized" });
      call(2, "get_account", {});
    }
    if (id === 2) {
      if (flight === "send")
        call(3, "send_sms", { messages: [{ to: "+61411111111", body: "hi" }] });
      process.stdout.write(`${server.pid}\n`);
    }
  }
});
send({
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "host", version: "1" },
  },
});
setInterval(() => {}, 60_000);
