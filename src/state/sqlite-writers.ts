import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** How often a process with the state open says it is alive, and when its silence means stopped. */
export const HEARTBEAT_MS = 5_000;
const SILENT_MS = 3 * HEARTBEAT_MS;
/** How far a process's clock may stray from the other live processes' before it is held to theirs. */
export const CLOCK_SKEW_MS = 60_000;

interface WriterRow {
  writer: string;
  host: string;
  pid: number;
  last_at: number;
  beat: number;
}

/**
 * The processes that share one state database, each a row: its host and pid, the time of its
 * last step by its clock, and a heartbeat count. They answer two questions without trusting
 * any one clock:
 * - Is the process that made a reservation still running? On this host its pid tells at once,
 *   so a send left by a killed process reads as "may have been sent", not "in progress".
 * - What time is it? A step uses its own clock, held within CLOCK_SKEW_MS of the other live
 *   processes' latest times, so a process whose clock runs a day ahead can neither expire nor
 *   stop counting what the others recorded. A peer is live while its heartbeat count moves, as
 *   seen by this process's monotonic clock, which no wall-clock error reaches.
 */
export class Writers {
  readonly me = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly host = hostname();
  private readonly seen = new Map<string, { beat: number; since: number }>();
  private readonly peers: StatementSync;
  private readonly touch: StatementSync;
  private readonly add: StatementSync;
  private readonly drop: StatementSync;
  private readonly one: StatementSync;

  constructor(db: DatabaseSync) {
    this.peers = db.prepare(
      "SELECT writer, host, pid, last_at, beat FROM writers WHERE writer != ? LIMIT 64",
    );
    this.touch = db.prepare("UPDATE writers SET last_at = ?, beat = beat + 1 WHERE writer = ?");
    this.add = db.prepare(
      "INSERT OR REPLACE INTO writers (writer, host, pid, last_at, beat) VALUES (?, ?, ?, ?, 0)",
    );
    this.drop = db.prepare("DELETE FROM writers WHERE writer = ?");
    this.one = db.prepare("SELECT writer, host, pid, last_at, beat FROM writers WHERE writer = ?");
  }

  /**
   * This step's time: `own` held within the skew of the live peers' latest, recorded as this
   * process's latest. Peers on this host whose process is gone are removed.
   */
  now(own: number): number {
    let latest: number | undefined;
    for (const row of this.peers.all(this.me) as unknown as WriterRow[]) {
      if (!this.live(row)) {
        if (row.host === this.host) this.drop.run(row.writer);
        continue;
      }
      latest = latest === undefined ? row.last_at : Math.max(latest, row.last_at);
    }
    const now =
      latest === undefined
        ? own
        : Math.min(Math.max(own, latest - CLOCK_SKEW_MS), latest + CLOCK_SKEW_MS);
    if (this.touch.run(now, this.me).changes === 0) {
      this.add.run(this.me, this.host, process.pid, now);
    }
    return now;
  }

  /** Whether the process that owns a reservation may still settle it. */
  alive(owner: string | null | undefined): boolean {
    if (!owner) return false;
    if (owner === this.me) return true;
    const row = this.one.get(owner) as unknown as WriterRow | undefined;
    return row !== undefined && this.live(row);
  }

  leave(): void {
    this.drop.run(this.me);
  }

  private live(row: WriterRow): boolean {
    if (row.host === this.host) return pidAlive(row.pid) && this.moving(row);
    return this.moving(row);
  }

  /** The peer's heartbeat count changed within SILENT_MS of this process's monotonic time. */
  private moving(row: WriterRow): boolean {
    const now = performance.now();
    const seen = this.seen.get(row.writer);
    if (!seen || seen.beat !== row.beat) {
      this.seen.set(row.writer, { beat: row.beat, since: now });
      if (this.seen.size > 256) this.seen.delete(this.seen.keys().next().value as string);
      return true;
    }
    return now - seen.since < SILENT_MS;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
