import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Adapter, AdapterPayload } from "oidc-provider";
import {
  epochSeconds,
  indexesOf,
  OAUTH_STATE_WORDS,
  parsePayload,
  untilOf,
} from "./oauth-records.js";
import type { OAuthStore } from "./oauth-store.js";
import { sqliteFault } from "./sqlite-errors.js";
import { openStateDatabase, rollback } from "./sqlite-open.js";

/**
 * The built-in authorization server's records and secrets as rows. A database of its own beside
 * the send state's (`<scope>.oauth.sqlite`), so its writes never wait on a send's lock and a
 * send state moved aside keeps everyone signed in (and the reverse). Version 1.
 */
export const OAUTH_SCHEMA = {
  name: "OAuth state",
  version: 1,
  sql: `
CREATE TABLE IF NOT EXISTS records (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  until INTEGER,
  grant_id TEXT,
  user_code TEXT,
  uid TEXT,
  PRIMARY KEY (model, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_until ON records (until) WHERE until IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_grant ON records (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_user_code ON records (model, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_uid ON records (model, uid) WHERE uid IS NOT NULL;

CREATE TABLE IF NOT EXISTS once_values (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`,
};

const UNEXPIRED = "(until IS NULL OR until > ?)";
/** Expired records deleted by each write, at most: more than a write can add (one). */
const PRUNE_BATCH = 64;

class Statements {
  readonly upsert: StatementSync;
  readonly prune: StatementSync;
  readonly find: StatementSync;
  readonly findByUid: StatementSync;
  readonly findByUserCode: StatementSync;
  readonly consume: StatementSync;
  readonly destroy: StatementSync;
  readonly revoke: StatementSync;
  readonly readOnce: StatementSync;
  readonly storeOnce: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(
      `INSERT INTO records (model, id, payload, until, grant_id, user_code, uid)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, until = excluded.until,
         grant_id = excluded.grant_id, user_code = excluded.user_code, uid = excluded.uid`,
    );
    // A bounded batch a write, so a write after a long pause costs what the others do.
    this.prune = db.prepare(
      `DELETE FROM records WHERE (model, id) IN
         (SELECT model, id FROM records WHERE until <= ? LIMIT ${PRUNE_BATCH})`,
    );
    this.find = db.prepare(
      `SELECT payload FROM records WHERE model = ? AND id = ? AND ${UNEXPIRED}`,
    );
    this.findByUid = db.prepare(
      `SELECT payload FROM records WHERE model = ? AND uid = ? AND ${UNEXPIRED} LIMIT 1`,
    );
    this.findByUserCode = db.prepare(
      `SELECT payload FROM records WHERE model = ? AND user_code = ? AND ${UNEXPIRED} LIMIT 1`,
    );
    this.consume = db.prepare(
      `UPDATE records SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ? AND ${UNEXPIRED}`,
    );
    this.destroy = db.prepare("DELETE FROM records WHERE model = ? AND id = ?");
    this.revoke = db.prepare("DELETE FROM records WHERE grant_id = ?");
    this.readOnce = db.prepare("SELECT value FROM once_values WHERE name = ?");
    this.storeOnce = db.prepare(
      "INSERT INTO once_values (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    );
  }
}

/**
 * The OAuth store in SQLite: a file in the state directory shared by every process on this
 * machine, or ":memory:" for this process only (the same SQL, so memory and file cannot
 * disagree). Each write is one short BEGIN IMMEDIATE transaction; expired records are invisible
 * at once and deleted, a bounded batch, by the next writes. `now` is the clock records expire by (tests move it).
 * A database that cannot be opened is tried again at the next step.
 */
export function sqliteOAuthStore(options: {
  file: string;
  dir?: string | undefined;
  now?: () => number;
}): OAuthStore {
  const memory = options.file === ":memory:";
  const location = memory ? "memory (this process only)" : options.file;
  const now = options.now ?? Date.now;
  let open: { db: DatabaseSync; sql: Statements } | undefined;

  const connect = () => {
    if (open) return open;
    const db = openStateDatabase(options, OAUTH_SCHEMA, location);
    try {
      open = { db, sql: new Statements(db) };
      return open;
    } catch (error) {
      db.close();
      throw error;
    }
  };

  /** A read or write; a failure is an error naming the file, never an empty answer. */
  const step = <T>(run: (sql: Statements) => T): T => {
    try {
      return run(connect().sql);
    } catch (error) {
      throw sqliteFault(error, location, OAUTH_STATE_WORDS);
    }
  };

  /** Several statements in one write transaction, rolled back whole on failure. */
  const transaction = <T>(run: (sql: Statements) => T): T =>
    step((sql) => {
      const { db } = connect();
      db.exec("BEGIN IMMEDIATE");
      try {
        const value = run(sql);
        db.exec("COMMIT");
        return value;
      } catch (error) {
        rollback(db);
        throw error;
      }
    });

  const payloadOf = (model: string, row: unknown): AdapterPayload | undefined =>
    row === undefined
      ? undefined
      : parsePayload((row as { payload: string }).payload, model, location);

  const adapter = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const at = now();
      const until = untilOf(expiresIn, at);
      const { grantId, userCode, uid } = indexesOf(model, payload);
      transaction((sql) => {
        sql.prune.run(at);
        sql.upsert.run(
          model,
          id,
          JSON.stringify(payload),
          until ?? null,
          grantId ?? null,
          userCode ?? null,
          uid ?? null,
        );
      });
    },
    find: async (id) => step((sql) => payloadOf(model, sql.find.get(model, id, now()))),
    findByUid: async (uid) => step((sql) => payloadOf(model, sql.findByUid.get(model, uid, now()))),
    findByUserCode: async (userCode) =>
      step((sql) => payloadOf(model, sql.findByUserCode.get(model, userCode, now()))),
    async consume(id) {
      const at = now();
      step((sql) => sql.consume.run(epochSeconds(at), model, id, at));
    },
    async destroy(id) {
      step((sql) => sql.destroy.run(model, id));
    },
    async revokeByGrantId(grantId) {
      step((sql) => sql.revoke.run(grantId));
    },
  });

  return {
    kind: memory ? "memory" : "sqlite",
    adapter,
    async once(name, make) {
      const stored = step((sql) => sql.readOnce.get(name)) as { value: string } | undefined;
      if (stored) return stored.value;
      const value = make();
      return transaction((sql) => {
        sql.storeOnce.run(name, value);
        return (sql.readOnce.get(name) as { value: string }).value;
      });
    },
    async close() {
      const db = open?.db;
      open = undefined;
      db?.close();
    },
  };
}
