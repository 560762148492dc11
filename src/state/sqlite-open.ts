import type { DatabaseSync } from "node:sqlite";
import { StateStoreError } from "../errors.js";
import { sqlite } from "./sqlite-module.js";
import { prepareStateDir, prepareStateFile } from "./state-dir.js";

/** How long a step waits for another process's transaction before it fails closed. */
export const BUSY_TIMEOUT_MS = 5_000;

/** A database's tables, at a version kept in PRAGMA user_version. */
export interface SqliteSchema {
  /** What the database holds, for messages: "send state", "OAuth state". */
  name: string;
  version: number;
  /** Statements that create what a database of an older version lacks (IF NOT EXISTS). */
  sql: string;
}

/**
 * Opens a state database: the directory 0700 and the file 0600 first, then WAL, a busy timeout,
 * synchronous=NORMAL (a commit survives the process being killed; an OS crash may roll back the
 * last ones), and the schema brought up to date. ":memory:" skips the files and the journal.
 */
export function openStateDatabase(
  options: { file: string; dir?: string | undefined },
  schema: SqliteSchema,
  location: string,
): DatabaseSync {
  const memory = options.file === ":memory:";
  if (options.dir) prepareStateDir(options.dir);
  if (!memory) prepareStateFile(options.file);
  const db = new (sqlite().DatabaseSync)(options.file);
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!memory) {
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
    }
    migrate(db, schema, location);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Creates the tables in a new database; refuses one written by a newer schema. */
function migrate(db: DatabaseSync, schema: SqliteSchema, location: string): void {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as {
    user_version: number;
  };
  if (version === schema.version) return;
  if (version > schema.version) {
    throw new StateStoreError(
      `The ${schema.name} database ${location} was written by a newer clicksend-mcp (schema ${version}); upgrade this one, or set CLICKSEND_STATE_DIR to another directory.`,
    );
  }
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(schema.sql);
    db.exec(`PRAGMA user_version = ${schema.version}`);
    db.exec("COMMIT");
  } catch (error) {
    rollback(db);
    throw error;
  }
}

/** Ends a failed transaction; SQLite may already have rolled it back (disk full, I/O error). */
export function rollback(db: DatabaseSync): void {
  try {
    db.exec("ROLLBACK");
  } catch {
    // No transaction was open any more.
  }
}
