export type LogLevel = "debug" | "info" | "warning" | "error";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export type LogSink = (level: LogLevel, message: string) => void;

/**
 * Logs to stderr (stdout is the JSON-RPC channel) and to any extra sinks, such as MCP logging
 * notifications. Callers never pass headers, credentials or message bodies.
 */
export function createLogger(
  minLevel: LogLevel = "info",
  sinks: LogSink[] = [],
): Logger & {
  addSink(sink: LogSink): void;
} {
  const all: LogSink[] = [...sinks];
  const emit = (level: LogLevel, message: string) => {
    if (ORDER[level] >= ORDER[minLevel])
      process.stderr.write(`[clicksend-mcp] ${level}: ${message}\n`);
    for (const sink of all) sink(level, message);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warning", m),
    error: (m) => emit("error", m),
    addSink: (sink) => all.push(sink),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
