/**
 * The SQLite store under the faults an operator meets (issue 22): a full disk, a read-only
 * disk, a corrupt or tampered database, an open directory, a process killed mid-transaction or
 * mid-send, and a process whose clock runs a day ahead. Each ends in a refusal that names the
 * file and says what was and was not sent; nothing is lost or sent twice.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import type { SendingConfig } from "../src/sending/policy.js";
import { stateDirEngine } from "../src/state/open.js";
import { sqlite } from "../src/state/sqlite-module.js";
import { SendStore } from "../src/state/store.js";
import { sendSms } from "../tools/sms.js";
import { type Harness, harness } from "./support/harness.js";
import { liveEnv } from "./support/live.js";
import { textOf } from "./support/results.js";
import { startServer } from "./support/stdio.js";
import { mountTmpfs, tmpfsUnavailable } from "./support/tmpfs.js";
import { sleep } from "./support/wait.js";

const sms = (body: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ to: "+61411111111", body }],
  ...extra,
});
const posted = (h: Harness) => h.sandbox.requests.filter((r) => r.path === "sms/send").length;
const stateDir = () => mkdtempSync(join(tmpdir(), "cs-faults-"));

/** A harness on its own SQLite store in `dir`, closed (store first) by `close`. */
async function onDisk(dir: string, sending: Partial<SendingConfig> = {}) {
  const store = new SendStore(stateDirEngine(dir, "acct"));
  const h = await harness({ sending, store });
  return {
    h,
    store,
    file: join(dir, "acct.sqlite"),
    close: async () => {
      await store.close();
      await h.close();
    },
  };
}

describe.skipIf(tmpfsUnavailable !== undefined)(
  `a full or read-only disk (a tmpfs)${tmpfsUnavailable ? `: skipped, ${tmpfsUnavailable}` : ""}`,
  () => {
    it("a full disk refuses sends naming the file, sends nothing, and loses no count", async () => {
      const disk = mountTmpfs(1024);
      const state = await onDisk(join(disk.dir, "state"), { dailyMessageLimit: 4 });
      try {
        const { h } = state;
        expect((await h.call(sendSms, sms("before"))).isError).toBeFalsy();
        disk.fill();
        for (const body of ["full 1", "full 2"]) {
          const refused = await h.call(sendSms, sms(body));
          expect(refused.isError).toBe(true);
          expect(textOf(refused)).toContain(state.file);
          expect(textOf(refused)).toContain("the disk is full");
          expect(textOf(refused)).toContain("Nothing was sent");
        }
        expect(posted(h)).toBe(1);
        disk.free();
        for (const body of ["after 1", "after 2", "after 3"]) {
          const sent = await h.call(sendSms, sms(body));
          expect(sent.isError, textOf(sent)).toBeFalsy();
        }
        // The count before the disk filled is still there: 4 sent, the limit holds.
        expect(textOf(await h.call(sendSms, sms("over")))).toContain(
          "4 were sent in the last 24 hours",
        );
        expect(posted(h)).toBe(4);
      } finally {
        await state.close();
        disk.unmount();
      }
    });

    it("a read-only disk refuses sends naming the file and saying nothing was sent", async () => {
      const disk = mountTmpfs(1024);
      const dir = join(disk.dir, "state");
      const first = await onDisk(dir, { dailyMessageLimit: 5 });
      expect((await first.h.call(sendSms, sms("before"))).isError).toBeFalsy();
      await first.close();
      disk.readOnly();
      const state = await onDisk(dir, { dailyMessageLimit: 5 });
      try {
        const refused = await state.h.call(sendSms, sms("read-only"));
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toContain(state.file);
        expect(textOf(refused)).toMatch(/read-only|cannot be opened/);
        expect(textOf(refused)).toContain("Nothing was sent");
        expect(posted(state.h)).toBe(0);
      } finally {
        await state.close();
        disk.readWrite();
        disk.unmount();
      }
    });
  },
);

describe("a damaged or tampered database", () => {
  it("a database damaged inside refuses sends as corrupt, naming the file", async () => {
    const dir = stateDir();
    const first = await onDisk(dir, { duplicateWindowS: 600 });
    for (let i = 0; i < 20; i++) await first.h.call(sendSms, sms(`fill ${i}`));
    await first.close();
    // Overwrite the middle of the file (past the header) with garbage.
    const file = join(dir, "acct.sqlite");
    const fd = openSync(file, "r+");
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    for (let at = 4096; at < statSync(file).size; at += 4096) {
      writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, at);
    }
    const state = await onDisk(dir, { duplicateWindowS: 600 });
    try {
      const refused = await state.h.call(sendSms, sms("after damage"));
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(file);
      expect(textOf(refused)).toContain("is corrupt");
      expect(textOf(refused)).toContain("Nothing was sent");
      expect(posted(state.h)).toBe(0);
    } finally {
      await state.close();
    }
  });

  it("a negative usage row written past the constraints is not trusted: sends are refused", async () => {
    const dir = stateDir();
    const first = await onDisk(dir, { dailyMessageLimit: 5 });
    expect((await first.h.call(sendSms, sms("one"))).isError).toBeFalsy();
    await first.close();
    const db = new (sqlite().DatabaseSync)(join(dir, "acct.sqlite"));
    // A CHECK constraint refuses it; a hand with ignore_check_constraints gets it in.
    expect(() =>
      db.exec(`INSERT INTO usage (slot, at, messages, amount) VALUES (1, ${Date.now()}, -1000, 0)`),
    ).toThrow(/CHECK constraint failed/);
    db.exec("PRAGMA ignore_check_constraints = 1");
    db.exec(`INSERT INTO usage (slot, at, messages, amount) VALUES (1, ${Date.now()}, -1000, 0)`);
    db.close();
    const state = await onDisk(dir, { dailyMessageLimit: 5 });
    try {
      const refused = await state.h.call(sendSms, sms("two"));
      expect(textOf(refused)).toContain("holds a negative count");
      expect(textOf(refused)).toContain("Nothing was sent");
      expect(posted(state.h)).toBe(0);
    } finally {
      await state.close();
    }
  });
});

describe("the state directory's mode", () => {
  it.skipIf(process.platform === "win32")(
    "an existing 0777 directory is tightened to 0700 and the database is 0600",
    async () => {
      const dir = join(stateDir(), "open");
      mkdirSync(dir);
      chmodSync(dir, 0o777);
      const state = await onDisk(dir);
      try {
        expect((await state.h.call(sendSms, sms("x"))).isError).toBeFalsy();
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(statSync(state.file).mode & 0o777).toBe(0o600);
      } finally {
        await state.close();
      }
    },
  );
});

describe("a clock a day ahead", () => {
  it("does not erase or stop counting what a process on the right time recorded", async () => {
    const dir = stateDir();
    const sending = { dailyMessageLimit: 2, duplicateWindowS: 600 };
    const right = new SendStore(stateDirEngine(dir, "acct"));
    const ahead = new SendStore(stateDirEngine(dir, "acct"), () => Date.now() + 86_400_000);
    const a = await harness({ sending, store: right });
    const b = await harness({ sending, store: ahead });
    try {
      expect((await a.call(sendSms, sms("keyed", { idempotency_key: "k1" }))).isError).toBeFalsy();
      expect((await a.call(sendSms, sms("windowed"))).isError).toBeFalsy();
      // The process a day ahead still sees the day's two sends: the limit holds for it too.
      const refused = await b.call(sendSms, sms("from ahead"));
      expect(textOf(refused)).toContain("2 were sent in the last 24 hours");
      expect(posted(b)).toBe(0);
      // Its steps erased nothing: the key replays, the window and the count hold.
      expect(textOf(await a.call(sendSms, sms("keyed", { idempotency_key: "k1" })))).toContain(
        "nothing was sent again",
      );
      expect(textOf(await a.call(sendSms, sms("windowed")))).toContain("allow_duplicate");
      expect(textOf(await a.call(sendSms, sms("third")))).toContain(
        "2 were sent in the last 24 hours",
      );
      expect(posted(a)).toBe(2);
    } finally {
      await right.close();
      await ahead.close();
      await a.close();
      await b.close();
    }
  });
});

describe("processes killed with SIGKILL", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.close());
  const sent = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
  const call = (client: Client, args: Record<string, unknown>) =>
    client.callTool({ name: "send_sms", arguments: args }) as Promise<CallToolResult>;
  const text = (result: CallToolResult) =>
    (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? "").join("\n");

  it("killed mid-transaction: the lock goes with it, the next send proceeds and counts nothing of it", async () => {
    const dir = stateDir();
    const env = liveEnv(sandbox, { CLICKSEND_STATE_DIR: dir, CLICKSEND_DAILY_MESSAGE_LIMIT: "1" });
    const server = await startServer([], env);
    const client = await server.connect();
    try {
      // A first call creates the database.
      await client.callTool({ name: "get_account", arguments: {} });
      await call(client, sms("warm", { idempotency_key: "warm" }));
      const file = join(dir, readdirSync(dir).find((name) => name.endsWith(".sqlite")) ?? "");
      // Another process takes the write lock, writes a reservation for 5 messages, and dies
      // before committing.
      const holder = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DatabaseSync } from "node:sqlite";
           const db = new DatabaseSync(${JSON.stringify(file)});
           db.exec("BEGIN IMMEDIATE");
           db.exec("INSERT INTO reservations (id, at, messages, amount, owner, tag) VALUES ('dead', ${Date.now()}, 5, 0, 'x', 't')");
           process.stdout.write("held\\n");
           setInterval(() => {}, 1000);`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once("data", () => resolve());
        holder.once("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      const exited = new Promise((resolve) => holder.once("exit", resolve));
      const pending = call(client, sms("while held", { idempotency_key: "held" }));
      holder.kill("SIGKILL");
      await exited;
      const result = await pending;
      // The limit of 1 is used by "warm": refused by the count, not by a lock or the dead
      // process's 5 messages.
      expect(text(result)).toContain("1 were sent in the last 24 hours and this call has 1");
    } finally {
      await client.close();
    }
  });

  it("killed mid-send: a retry of its key and its text read as 'may have been sent', never 'nothing was sent'", async () => {
    const dir = stateDir();
    const env = liveEnv(sandbox, {
      CLICKSEND_STATE_DIR: dir,
      CLICKSEND_DUPLICATE_WINDOW_S: "600",
      CLICKSEND_DAILY_MESSAGE_LIMIT: "1",
    });
    const doomed = await startServer([], env);
    const doomedClient = await doomed.connect();
    const before = sent();
    sandbox.faults.inject({ path: "sms/send", fault: { type: "delay", ms: 30_000 } });
    const inFlight = call(doomedClient, sms("interrupted", { idempotency_key: "order-7" })).catch(
      () => undefined,
    );
    while (sent() === before) await sleep(10);
    process.kill(doomed.pid, "SIGKILL");
    await inFlight;

    const next = await (await startServer([], env)).connect();
    try {
      const retry = await call(next, sms("interrupted", { idempotency_key: "order-7" }));
      expect(retry.isError).toBe(true);
      expect(text(retry)).toContain("it may have been sent");
      expect(text(retry)).toMatch(/call get_send_status with tag mcp-[0-9a-f]+/);
      expect(text(retry)).not.toMatch(/nothing was sent/i);
      const again = await call(next, sms("interrupted"));
      expect(text(again)).toContain("never finished (its process stopped): it may have been sent");
      expect(text(again)).not.toMatch(/nothing was sent/i);
      const other = await call(next, sms("another text"));
      expect(text(other)).toContain("1 were sent in the last 24 hours");
      expect(sent() - before).toBe(1);
    } finally {
      await next.close();
    }
  });
});
