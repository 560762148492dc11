import { AsyncLocalStorage } from "node:async_hooks";

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
 * A phone number: 8 to 15 digits, optionally with a leading + and spaces, dashes or parentheses
 * between them, not part of a longer token (ids, UUIDs, decimals, addresses, paths).
 */
const PHONE = /(?<![\w.:/-])\+?\(?\d(?:[ ()-]{0,2}\d){7,14}(?![\w.:/-])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Masks every phone number in text to its last 3 digits: "+61411111111" -> "***111". */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE, (match) => {
    if (ISO_DATE.test(match)) return match;
    return `***${match.replace(/\D/g, "").slice(-3)}`;
  });
}

/**
 * Logs to stderr (stdout is the JSON-RPC channel), to any extra sinks, and to the client of the
 * MCP request being handled (see withRequestSink). Callers never pass headers, credentials or
 * message bodies; phone numbers are masked here as a last line of defence.
 */
export function createLogger(minLevel: LogLevel = "info", sinks: LogSink[] = []): Logger {
  const all: LogSink[] = [...sinks];
  const emit = (level: LogLevel, raw: string) => {
    const message = maskPhoneNumbers(raw);
    if (ORDER[level] >= ORDER[minLevel])
      process.stderr.write(`[clicksend-mcp] ${level}: ${message}\n`);
    for (const sink of all) sink(level, message);
    requestSink.getStore()?.(level, message);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warning", m),
    error: (m) => emit("error", m),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
