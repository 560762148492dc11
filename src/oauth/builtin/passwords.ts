/**
 * Password hashes of the people file: scrypt (node:crypto), stored as
 * `scrypt$<N>$<r>$<p>$<salt>$<hash>` with salt and hash in base64url. Only hashes are stored;
 * the cost parameters travel with each hash so they can be raised later without breaking old
 * entries.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Highest cost accepted from a file, so a hand-edited entry cannot stall every sign-in. */
const MAX_N = 1 << 20;
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

interface Parsed {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, n: number, r: number, p: number, length: number) {
  return new Promise<Buffer>((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; the default cap (32 MiB) is exactly N = 2^15, r = 8.
    scrypt(password, salt, length, { N: n, r, p, maxmem: 256 * n * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function parse(stored: string): Parsed | undefined {
  const match = HASH.exec(stored);
  if (!match) return undefined;
  const [n, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const powerOfTwo = n > 1 && (n & (n - 1)) === 0;
  if (!powerOfTwo || n > MAX_N || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return {
    n,
    r,
    p,
    salt: Buffer.from(match[4] ?? "", "base64url"),
    hash: Buffer.from(match[5] ?? "", "base64url"),
  };
}

/** Whether the text is a hash this module can check (the people file's validation). */
export function isPasswordHash(stored: string): boolean {
  return parse(stored) !== undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, N, R, P, KEY_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/** A hash of a password nobody has, checked when the username is unknown: the same work either way. */
let decoy: Promise<string> | undefined;

/**
 * Whether password matches the stored hash. With stored undefined (no such person) it still
 * does the work of one check and answers false, so timing does not tell which usernames exist.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  const parsed = parse(stored ?? (await decoy));
  if (!parsed) return false;
  const actual = await derive(
    password,
    parsed.salt,
    parsed.n,
    parsed.r,
    parsed.p,
    parsed.hash.length,
  );
  return stored !== undefined && timingSafeEqual(actual, parsed.hash);
}
