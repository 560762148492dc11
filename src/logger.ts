import { AsyncLocalStorage } from "node:async_hooks";
import { writeStderr } from "./transport/stderr.js";

export type LogLevel = "debug" | "info" | "warning" | "error";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export type LogSink = (level: LogLevel, message: string) => void;

/** The sink of the MCP request being handled, so its logs reach the client that made it. */
const requestSink = new AsyncLocalStorage<LogSink>();

/**
 * Runs fn with everything logged inside it (by the tool, by the shared client) also sent to
 * sink: over HTTP each request has its own stream, so a process-wide sink could not reach it.
 */
export function withRequestSink<T>(sink: LogSink, fn: () => T): T {
  return requestSink.run(sink, fn);
}

/**
 * A phone number: 8 to 15 digits (any script's, full-width ones too), optionally with a leading +
 * and up to two separators between digits (spaces, dots, dashes, brackets, zero-width and
 * full-width ones), not part of a longer token (ids, UUIDs, decimals, addresses, paths). A dot
 * after it ends a sentence unless a digit follows.
 */
const SEPARATOR = String.raw`[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000().\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff\uff08\uff09\uff0d\uff0e-]`;
const PHONE = new RegExp(
  String.raw`(?<![\w\p{Nd}.:/-])[+\uff0b]?[(\uff08]?\p{Nd}(?:${SEPARATOR}{0,2}\p{Nd}){7,14}(?![\w\p{Nd}:/-]|[.\uff0e]\p{Nd})`,
  "gu",
);
const DIGIT = /\p{Nd}/gu;
/** Not numbers: a date, an IPv4 address. */
const NOT_PHONE = /^(\d{4}-\d{2}-\d{2}|\d{1,3}(\.\d{1,3}){3})$/;

/** Masks every phone number in text to its last 3 digits: "+61411111111" -> "***111". */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE, (match) => {
    if (NOT_PHONE.test(match)) return match;
    return `***${(match.match(DIGIT) ?? []).slice(-3).join("").normalize("NFKC")}`;
  });
}

/**
 * Logs to stderr (stdout is the JSON-RPC channel), to any extra sinks, and to the client of the
 * MCP request being handled (see withRequestSink). Callers never pass headers, credentials or
 * message bodies; phone numbers are masked here as a last line of defence.
 */
export function createLogger(minLevel: LogLevel = "info", sinks: LogSink[] = []): Logger {
  const all: LogSink[] = [...sinks];
  let toldStderrLost = false;
  const emit = (level: LogLevel, raw: string) => {
    const message = maskPhoneNumbers(raw);
    const client = requestSink.getStore();
    if (ORDER[level] >= ORDER[minLevel] && !writeStderr(`[clicksend-mcp] ${level}: ${message}\n`)) {
      // Said once, where it can still be read: the client of this request.
      if (client && !toldStderrLost) {
        toldStderrLost = true;
        client("warning", "stderr is closed: server logs reach only MCP clients from now on");
      }
    }
    for (const sink of all) sink(level, message);
    client?.(level, message);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warning", m),
    error: (m) => emit("error", m),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
