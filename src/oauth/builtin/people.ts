/**
 * The people file (CLICKSEND_MCP_OAUTH_USERS): who may sign in to the built-in authorization
 * server, their display name, password hash and the scopes they may grant. JSON:
 *
 *   {"people": [{"username": "ana", "name": "Ana Silva", "password": "scrypt$...",
 *                "scopes": ["clicksend:read", "clicksend:send"]}]}
 *
 * `clicksend-mcp oauth-person add` writes entries (person-command.ts). Read once at start; errors
 * name the file and the entry, never the hash.
 */
import { readFileSync } from "node:fs";
import { isPasswordHash } from "./passwords.js";

/** The scopes the built-in server issues tokens with. */
export const ISSUED_SCOPES = ["clicksend:read", "clicksend:send"] as const;
export type IssuedScope = (typeof ISSUED_SCOPES)[number];

export interface PersonEntry {
  /** What they sign in with; the tokens' `sub`. */
  username: string;
  /** The tokens' `name`. */
  name: string;
  /** scrypt hash (passwords.ts). */
  password: string;
  scopes: IssuedScope[];
}

export interface PeopleFile {
  people: PersonEntry[];
}

export class PeopleFileError extends Error {
  override name = "PeopleFileError";
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MAX_NAME = 200;

export function isIssuedScope(scope: string): scope is IssuedScope {
  return (ISSUED_SCOPES as readonly string[]).includes(scope);
}

/** Why a username cannot be used, or undefined when it can. */
export function usernameProblem(username: string): string | undefined {
  return USERNAME.test(username)
    ? undefined
    : "username must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit";
}

/** Why a display name cannot be used, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === "") return "name must not be empty";
  if (name.length > MAX_NAME) return `name must be at most ${MAX_NAME} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\u0000-\u001f\u007f]/.test(name)) return "name must not hold control characters";
  return undefined;
}

function entry(value: unknown, index: number, seen: Set<string>): PersonEntry {
  const where = `people[${index}]`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PeopleFileError(`${where} must be an object`);
  }
  const { username, name, password, scopes } = value as Record<string, unknown>;
  if (typeof username !== "string") throw new PeopleFileError(`${where}.username must be a string`);
  const at = `${where} (${JSON.stringify(username).slice(0, 70)})`;
  const badUsername = usernameProblem(username);
  if (badUsername) throw new PeopleFileError(`${at}: ${badUsername}`);
  if (seen.has(username)) throw new PeopleFileError(`${at}: username appears twice`);
  seen.add(username);
  if (typeof name !== "string") throw new PeopleFileError(`${at}: name must be a string`);
  const badName = nameProblem(name);
  if (badName) throw new PeopleFileError(`${at}: ${badName}`);
  if (typeof password !== "string" || !isPasswordHash(password)) {
    throw new PeopleFileError(
      `${at}: password must be a scrypt hash as \`clicksend-mcp oauth-person add\` writes it`,
    );
  }
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScopeValue)) {
    throw new PeopleFileError(
      `${at}: scopes must be a non-empty list of ${ISSUED_SCOPES.map((s) => `"${s}"`).join(", ")}`,
    );
  }
  return { username, name, password, scopes: [...new Set(scopes)] };
}

const isScopeValue = (value: unknown): value is IssuedScope =>
  typeof value === "string" && isIssuedScope(value);

/** The entries of a people file's text; throws PeopleFileError naming what is wrong. */
export function parsePeople(text: string): PersonEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PeopleFileError(
      `not JSON: ${error instanceof Error ? error.message : "parse error"}`,
    );
  }
  const people = (json as { people?: unknown } | null)?.people;
  if (!Array.isArray(people)) {
    throw new PeopleFileError('must be a JSON object with a "people" list');
  }
  const seen = new Set<string>();
  return people.map((value, index) => entry(value, index, seen));
}

/** The people file at path, by username; errors name the file. */
export function loadPeople(path: string): Map<string, PersonEntry> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist (add people with: clicksend-mcp oauth-person add USERNAME)"
        : `cannot be read (${code ?? "unknown error"})`;
    throw new PeopleFileError(`people file ${path} (CLICKSEND_MCP_OAUTH_USERS) ${why}`);
  }
  try {
    const people = parsePeople(text);
    if (people.length === 0) throw new PeopleFileError("lists nobody: nobody could sign in");
    return new Map(people.map((person) => [person.username, person]));
  } catch (error) {
    if (!(error instanceof PeopleFileError)) throw error;
    throw new PeopleFileError(`people file ${path}: ${error.message}`);
  }
}
