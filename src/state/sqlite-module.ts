import { createRequire } from "node:module";

type Sqlite = typeof import("node:sqlite");

let loaded: Sqlite | undefined;

/**
 * Node's built-in SQLite, loaded on first use. Node 22 prints an ExperimentalWarning when
 * node:sqlite loads; that one warning is dropped (it would reach every host's log on every start),
 * and process.emitWarning is restored at once, so every other warning is printed as before.
 */
export function sqlite(): Sqlite {
  if (loaded) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isSqliteExperimental(warning, rest)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    loaded = createRequire(import.meta.url)("node:sqlite") as Sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded;
}

function isSqliteExperimental(warning: string | Error, rest: unknown[]): boolean {
  const text = typeof warning === "string" ? warning : warning.message;
  const type =
    typeof rest[0] === "string"
      ? rest[0]
      : ((rest[0] as { type?: string } | undefined)?.type ??
        (warning instanceof Error ? warning.name : undefined));
  return type === "ExperimentalWarning" && /\bSQLite\b/.test(text);
}
