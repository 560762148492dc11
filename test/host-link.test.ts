/** watchHost, in process: each way a host can go, and that it is told once. */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { watchHost } from "../src/transport/host-link.js";

afterEach(() => {
  vi.useRealTimers();
});

function watched(parentPid: () => number = () => 100) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const reasons: string[] = [];
  const stop = watchHost({ stdin, stdout, onGone: (reason) => reasons.push(reason), parentPid });
  return { stdin, stdout, reasons, stop };
}

describe("watchHost", () => {
  it("a new parent (the host died and the server was adopted) is the host gone", () => {
    vi.useFakeTimers();
    let parent = 100;
    const { reasons } = watched(() => parent);
    vi.advanceTimersByTime(5000);
    expect(reasons).toEqual([]);
    parent = 1;
    vi.advanceTimersByTime(500);
    expect(reasons).toEqual(["the host process exited"]);
  });

  it("stdin's end, a broken stdout and SIGHUP each say so, and only the first is told", () => {
    const { stdin, stdout, reasons } = watched();
    stdin.emit("end");
    stdout.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    process.emit("SIGHUP", "SIGHUP");
    expect(reasons).toEqual(["stdin closed"]);
  });

  it("a broken stdout is the host gone", () => {
    const { stdout, reasons } = watched();
    stdout.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(reasons).toEqual(["stdout broken"]);
  });

  it("SIGHUP is the host gone, and stopping leaves no listener behind", () => {
    const before = process.listenerCount("SIGHUP");
    const { reasons, stop } = watched();
    process.emit("SIGHUP", "SIGHUP");
    expect(reasons).toEqual(["the host hung up (SIGHUP)"]);
    stop();
    expect(process.listenerCount("SIGHUP")).toBe(before);
  });
});
