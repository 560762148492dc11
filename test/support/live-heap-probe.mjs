// Run with --experimental-websocket (Node 20). Collects the garbage of the process whose inspector
// listens at argv[2], then prints its heap's used bytes as JSON: {"data":…,"code":…}, code being
// what V8 compiled (it grows as more paths get hot, for a while, and is not a leak).
const socket = new WebSocket(process.argv[2]);
let id = 0;
const pending = new Map();
socket.onmessage = (event) => {
  const message = JSON.parse(String(event.data));
  pending.get(message.id)?.(message);
  pending.delete(message.id);
};
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    pending.set(++id, (message) =>
      message.error ? reject(new Error(message.error.message)) : resolve(message.result),
    );
    socket.send(JSON.stringify({ id, method, params }));
  });
const SPACES =
  "require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size])";
socket.onopen = async () => {
  // WeakRefs and FinalizationRegistry cells are cleared a collection after their target.
  for (let i = 0; i < 3; i++) await send("HeapProfiler.collectGarbage");
  const { result } = await send("Runtime.evaluate", {
    expression: `JSON.stringify(${SPACES})`,
    includeCommandLineAPI: true,
    returnByValue: true,
  });
  const used = { data: 0, code: 0 };
  for (const [space, bytes] of JSON.parse(result.value)) {
    used[space.startsWith("code") ? "code" : "data"] += bytes;
  }
  process.stdout.write(`${JSON.stringify(used)}\n`);
  socket.close();
};
socket.onerror = (event) => {
  process.stderr.write(`inspector: ${event.message ?? "connection failed"}\n`);
  process.exit(1);
};
