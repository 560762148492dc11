/**
 * Over stdio the server lives for one host. When the host is gone (it closed stdin, stopped
 * reading stdout, hung up, or died and left the server to another parent) nobody can be served,
 * and the server must exit instead of running on as an orphan.
 */
import { fstatSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";

/** How often the parent process is checked: a getppid() call, nothing else. */
const PARENT_CHECK_MS = 500;

/**
 * The stream answers go to. A host that is itself Node (Claude Desktop, VS Code, Cursor, Claude
 * Code) gives its child a socket for stdout: read from as well, it says at once when the host
 * closes its end, even while nothing is being written. A pipe (or file, or terminal) can only say
 * so when a write fails, and process.stdout is used as it is. Nothing else may write to fd 1.
 */
export function openStdout(): Writable {
  let socket = false;
  try {
    socket = fstatSync(1).isSocket();
  } catch {}
  // Made first in any case: Node makes it whenever a module imports node:process, and a second
  // handle opened on fd 1 after this one starts reading would fail with EEXIST. It never writes.
  const { stdout: nodeStdout } = process;
  if (!socket) return nodeStdout;
  const stdout = new Socket({ fd: 1, readable: true, writable: true });
  // The host never writes here; whatever it might is dropped, and the end is what matters.
  stdout.resume();
  return stdout;
}

/** The stdio connection to the host: where answers go, and what to do when the host is gone. */
export interface HostLink {
  stdout: Writable;
  /** Replaces what happens when the host is gone (until then: exit, as nothing needs settling). */
  onGone(handler: (reason: string) => void): void;
}

/** Opens stdout and watches the host from the first byte on. */
export function linkToHost(): HostLink {
  const stdout = openStdout();
  let handler: (reason: string) => void = () => process.exit(0);
  watchHost({ stdin: process.stdin, stdout, onGone: (reason) => handler(reason) });
  return {
    stdout,
    onGone(next) {
      handler = next;
    },
  };
}

const ignore = () => {};

export interface HostWatch {
  stdin: Readable;
  stdout: Writable;
  onGone: (reason: string) => void;
  /** The parent's pid now (process.ppid); tests inject one. */
  parentPid?: () => number;
}

/** Calls onGone once, with why, when the host is gone; returns a function that stops watching. */
export function watchHost({
  stdin,
  stdout,
  onGone,
  parentPid = () => process.ppid,
}: HostWatch): () => void {
  let watching = true;
  const parent = parentPid();
  const gone = (reason: string) => () => {
    if (!watching) return;
    stop();
    onGone(reason);
  };
  const handlers: Array<[Readable | Writable | NodeJS.Process, string, () => void]> = [
    [stdin, "end", gone("stdin closed")],
    [stdin, "close", gone("stdin closed")],
    [stdin, "error", gone("stdin failed")],
    [stdout, "error", gone("stdout broken")],
    [stdout, "end", gone("stdout closed")],
    [stdout, "close", gone("stdout closed")],
    [process, "SIGHUP", gone("the host hung up (SIGHUP)")],
  ];
  for (const [emitter, event, handler] of handlers) emitter.on(event, handler);
  // A pipe that fails after the host is gone must not become an uncaught exception.
  stdin.on("error", ignore);
  stdout.on("error", ignore);
  const orphaned = gone("the host process exited");
  const timer = setInterval(() => {
    if (parentPid() !== parent) orphaned();
  }, PARENT_CHECK_MS);
  timer.unref();
  function stop() {
    watching = false;
    clearInterval(timer);
    for (const [emitter, event, handler] of handlers) emitter.off(event, handler);
  }
  return stop;
}
