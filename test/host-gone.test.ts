/**
 * A host that goes away (crashes, is killed, closes a pipe, hangs up) never leaves the server
 * running: it exits using almost no CPU meanwhile, without waiting for what is pending, and a
 * send it leaves in flight is recorded as maybe sent. A host that only closes stderr keeps being
 * served, without logs there.
 *
 * The server gives itself 0.8 s to exit (EXIT_DEADLINE_MS in src/serve.ts), well within the 2 s
 * the issue allows; a loaded machine may stretch that wall time, so the test does not time it.
 * What it tells apart is exiting from lingering: the held send never ends (the sandbox's delay
 * is on the held clock) and the server's own timeout is 5 minutes, so a server that waited for
 * either would still be running when the test's HANG_MS bound is up.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { ensureBuilt, ROOT } from "./support/build.js";
import { holdClock, releaseClock } from "./support/deadline.js";
import { liveEnv } from "./support/live.js";
import { cpuSeconds, isAlive, watchExit } from "./support/proc.js";
import { type StdioServer, startServer } from "./support/stdio.js";
import { HANG_MS, sleep, until, within } from "./support/wait.js";

/** What the issue allows: under 0.2 s of CPU on the way out. */
const CPU_S = 0.2;
/** The server's timeout on a call to ClickSend: the longest there is, far beyond HANG_MS. */
const SERVER_TIMEOUT = { CLICKSEND_TIMEOUT_MS: "300000" };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

type Flight = "idle" | "send";

const sendArgs = (body: string) => ({ messages: [{ to: "+61411111111", body }] });

/** A live server on a state directory of its own; with "send", one send waits at ClickSend. */
async function serverWith(flight: Flight, env: Record<string, string> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "clicksend-host-gone-"));
  const server = await startServer(
    [],
    liveEnv(sandbox, { CLICKSEND_STATE_DIR: stateDir, ...SERVER_TIMEOUT, ...env }),
  );
  await server.initialize();
  // Served by the SDK, not only the early answers: the process is past its start.
  expect((await server.call("get_account", {})).isError).toBeFalsy();
  if (flight === "send") await holdOneSend(server);
  return { server, stateDir };
}

/** Starts a send whose POST the sandbox holds for good, and returns once the sandbox has it. */
async function holdOneSend(server: StdioServer): Promise<void> {
  await holdingASend(async () => {
    server.call("send_sms", sendArgs(`held ${Math.random()}`)).catch(() => {});
  });
}

/**
 * Runs start(), which makes a server send, with the sandbox's delay on the held clock, and returns
 * once the send has reached the sandbox. The clock is then released: the delay's timer never
 * fires, so the sandbox never answers.
 */
async function holdingASend(start: () => Promise<void>): Promise<void> {
  const before = postsToSend();
  sandbox.faults.inject({ method: "POST", path: "sms/send", fault: { type: "delay", ms: 1 } });
  holdClock();
  try {
    await start();
    await until("the held send reaching the sandbox", () => postsToSend() > before);
  } finally {
    releaseClock();
  }
}

const postsToSend = () =>
  sandbox.requests.filter((r) => r.method === "POST" && r.path === "sms/send").length;

/** Today's audit as a second server on the same state directory reads it. */
async function auditOf(stateDir: string): Promise<Array<{ outcome: string; reason?: string }>> {
  const reader = await startServer([], liveEnv(sandbox, { CLICKSEND_STATE_DIR: stateDir }));
  try {
    await reader.initialize();
    const day = new Date().toISOString().slice(0, 10);
    const read = await reader.request("resources/read", { uri: `clicksend://sends/${day}` });
    const contents = (read.result?.contents as Array<{ text: string }> | undefined) ?? [];
    const parsed = JSON.parse(contents[0]?.text ?? "{}") as {
      sends?: Array<{ outcome: string; reason?: string }>;
    };
    return parsed.sends ?? [];
  } finally {
    await reader.end();
  }
}

async function expectGone(pid: number) {
  const exit = await watchExit(pid, HANG_MS);
  expect(exit.exited, `the server is still running after ${HANG_MS} ms`).toBe(true);
  expect(exit.cpuS).toBeLessThan(CPU_S);
}

describe.each<Flight>(["idle", "send"])("the host goes away, %s", (flight) => {
  it("the host is killed (SIGKILL): every pipe closes, and the server exits", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "clicksend-host-gone-"));
    const cli = await ensureBuilt();
    let host: ReturnType<typeof spawn> | undefined;
    let pid = 0;
    const start = async () => {
      const child = spawn(process.execPath, [join(ROOT, "test/support/host.mjs"), cli, flight], {
        env: liveEnv(sandbox, { CLICKSEND_STATE_DIR: stateDir, ...SERVER_TIMEOUT }),
        stdio: ["ignore", "pipe", "ignore"],
      });
      host = child;
      pid = await within(
        HANG_MS,
        "the host's server",
        new Promise<number>((resolve) =>
          child.stdout?.once("data", (d) => resolve(Number(String(d)))),
        ),
      );
    };
    if (flight === "send") await holdingASend(start);
    else await start();
    host?.kill("SIGKILL");
    await expectGone(pid);
    if (flight === "send") {
      expect((await auditOf(stateDir)).map((s) => s.outcome)).toEqual(["maybe_sent"]);
    }
  });

  it("stdin closes: the server exits", async () => {
    const { server, stateDir } = await serverWith(flight);
    server.process.stdin.end();
    await expectGone(server.pid);
    if (flight === "send") {
      expect((await auditOf(stateDir)).map((s) => s.outcome)).toEqual(["maybe_sent"]);
    }
  });

  it("stdout closes (the host stopped reading): the server exits", async () => {
    const { server, stateDir } = await serverWith(flight);
    server.process.stdout.destroy();
    await expectGone(server.pid);
    if (flight === "send") {
      expect((await auditOf(stateDir)).map((s) => s.outcome)).toEqual(["maybe_sent"]);
    }
  });

  it("SIGHUP (the host hung up): the server exits", async () => {
    const { server, stateDir } = await serverWith(flight);
    server.process.kill("SIGHUP");
    await expectGone(server.pid);
    if (flight === "send") {
      expect((await auditOf(stateDir)).map((s) => s.outcome)).toEqual(["maybe_sent"]);
    }
  });

  it("stderr alone closes: the server keeps answering, quietly and at no CPU cost", async () => {
    // Debug logging: every call writes to the closed stderr.
    const { server } = await serverWith(flight, { CLICKSEND_LOG_LEVEL: "debug" });
    server.process.stderr.destroy();
    for (let i = 0; i < 5; i++) {
      const result = await server.call("get_account", {});
      expect(result.isError).toBeFalsy();
    }
    const cpuBefore = cpuSeconds(server.pid) ?? 0;
    await sleep(1000);
    expect(isAlive(server.pid)).toBe(true);
    expect((cpuSeconds(server.pid) ?? 0) - cpuBefore).toBeLessThan(CPU_S);
    expect((await server.call("get_account", {})).isError).toBeFalsy();
    await server.end();
  });
});
