/**
 * The send state as rows. Every table is keyed or indexed by what a step looks up (a hash, a
 * reservation id) and by the time it expires at, so a step is a few index probes whatever the
 * size of the day. CHECK constraints refuse values no send could have written.
 * Version 2 added declined, version 3 opted_out, version 4 person_open and person_usage. An older database gains what it lacks on opening
 * (every statement is IF NOT EXISTS); an older clicksend-mcp refuses a newer database rather than
 * send past rules (a person's no, an opt-out reply) it cannot see.
 */
export const SCHEMA_VERSION = 4;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS keys (
  hash TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  id TEXT NOT NULL,
  fp TEXT NOT NULL,
  tag TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'sent', 'maybe_sent')),
  result TEXT CHECK (result IS NULL OR json_valid(result))
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_at ON keys (at);
CREATE INDEX IF NOT EXISTS keys_id ON keys (id);

CREATE TABLE IF NOT EXISTS recent (
  fp TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  id TEXT NOT NULL,
  tag TEXT NOT NULL,
  until INTEGER NOT NULL CHECK (until > at),
  settled INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1))
) STRICT;
CREATE INDEX IF NOT EXISTS recent_until ON recent (until);
CREATE INDEX IF NOT EXISTS recent_id ON recent (id);

CREATE TABLE IF NOT EXISTS reservations (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  messages INTEGER NOT NULL CHECK (messages >= 0),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  owner TEXT NOT NULL,
  tag TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reservations_at ON reservations (at);

CREATE TABLE IF NOT EXISTS usage (
  slot INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  messages INTEGER NOT NULL CHECK (messages >= 0),
  amount INTEGER NOT NULL CHECK (amount >= 0)
) STRICT;
CREATE INDEX IF NOT EXISTS usage_at ON usage (at);

CREATE TABLE IF NOT EXISTS issued (
  hash TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  until INTEGER NOT NULL CHECK (until >= at),
  payload TEXT NOT NULL,
  channel TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS issued_at ON issued (at);

CREATE TABLE IF NOT EXISTS confirmations (
  hash TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  id TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS confirmations_at ON confirmations (at);

CREATE TABLE IF NOT EXISTS declined (
  payload TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  until INTEGER NOT NULL CHECK (until > at)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS declined_until ON declined (until);

CREATE TABLE IF NOT EXISTS writers (
  writer TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  beat INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  day TEXT NOT NULL CHECK (length(day) = 10),
  record TEXT NOT NULL CHECK (json_valid(record))
) STRICT;
CREATE INDEX IF NOT EXISTS audit_day ON audit (day, seq);

CREATE TABLE IF NOT EXISTS opted_out (
  hash TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  until INTEGER NOT NULL CHECK (until > at)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS opted_out_until ON opted_out (until);

CREATE TABLE IF NOT EXISTS person_open (
  id TEXT PRIMARY KEY,
  person TEXT NOT NULL,
  at INTEGER NOT NULL,
  messages INTEGER NOT NULL CHECK (messages >= 0),
  amount INTEGER NOT NULL CHECK (amount >= 0)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS person_open_person ON person_open (person, at);
CREATE INDEX IF NOT EXISTS person_open_at ON person_open (at);

CREATE TABLE IF NOT EXISTS person_usage (
  person TEXT NOT NULL,
  slot INTEGER NOT NULL,
  at INTEGER NOT NULL,
  messages INTEGER NOT NULL CHECK (messages >= 0),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (person, slot)
) STRICT;
CREATE INDEX IF NOT EXISTS person_usage_person ON person_usage (person, at);
CREATE INDEX IF NOT EXISTS person_usage_at ON person_usage (at);
`;
