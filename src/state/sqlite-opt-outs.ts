import type { DatabaseSync } from "node:sqlite";

/** Expired marks deleted per marking step: its cost stays bounded whatever the table holds. */
const EXPIRE_BATCH = 256;

/**
 * The opt-out marks (hashes of numbers that replied an opt-out keyword) as rows of opted_out:
 * a step is one index probe per number, whatever the size of the table.
 */
export class SqliteOptOuts {
  private readonly s;

  constructor(db: DatabaseSync) {
    this.s = {
      expire: db.prepare(
        `DELETE FROM opted_out WHERE hash IN (SELECT hash FROM opted_out WHERE until <= ? LIMIT ${EXPIRE_BATCH})`,
      ),
      mark: db.prepare(
        `INSERT INTO opted_out (hash, at, until) SELECT value, ?, ? FROM json_each(?) WHERE true
         ON CONFLICT (hash) DO UPDATE SET at = excluded.at, until = MAX(until, excluded.until)`,
      ),
      find: db.prepare(
        "SELECT o.hash FROM json_each(?) j JOIN opted_out o ON o.hash = j.value WHERE o.until > ?",
      ),
    };
  }

  /** Run inside the engine's write transaction. */
  mark(hashes: string[], ttlMs: number, now: number): void {
    this.s.expire.run(now);
    this.s.mark.run(now, now + ttlMs, JSON.stringify(hashes));
  }

  find(hashes: string[], now: number): Set<string> {
    const rows = this.s.find.all(JSON.stringify(hashes), now) as Array<{ hash: string }>;
    return new Set(rows.map((row) => row.hash));
  }
}
