/**
 * `clicksend-mcp oauth-person add <username> --name "Ana Silva" --scopes read,send [--file PATH]`:
 * adds a person to the built-in authorization server's people file, or replaces the entry with
 * that username; `oauth-person remove <username>` takes one out. The password is read from stdin (its first line; typed without echo on a
 * terminal) and only its scrypt hash is written. The file is written as setup writes host
 * configs (src/setup/write.ts): under a lock, atomically, mode 0600, the old one backed up.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { editFile, WriteError } from "../../setup/write.js";
import { hashPassword } from "./passwords.js";
import {
  ISSUED_SCOPES,
  type IssuedScope,
  isIssuedScope,
  nameProblem,
  PeopleFileError,
  type PersonEntry,
  parsePeople,
  usernameProblem,
} from "./people.js";

export interface PersonCommandContext {
  argv: string[];
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  out(text: string): void;
  err(text: string): void;
}

const MIN_PASSWORD = 12;

export const personCommandHelp = `Usage: clicksend-mcp oauth-person add USERNAME --name "FULL NAME" --scopes read,send [--file PATH]
       clicksend-mcp oauth-person remove USERNAME [--file PATH]

add: a person who may sign in to the built-in authorization server
(CLICKSEND_MCP_OAUTH_ISSUER=builtin), or a new entry for that username.
The password is read from stdin (at least ${MIN_PASSWORD} characters); only its scrypt hash is stored.
remove: the person's entry; once the server restarts, their tokens no longer refresh.
The server reads the file at start: restart it after a change.

  --name TEXT     the name tokens carry (audit, logs, the confirmation question)
  --scopes LIST   what they may allow: read, send or both (clicksend:read, clicksend:send)
  --file PATH     the people file, default $CLICKSEND_MCP_OAUTH_USERS
`;

class UsageError extends Error {}

function scopesFrom(list: string): IssuedScope[] {
  const scopes = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.includes(":") ? s : `clicksend:${s}`));
  const unknown = scopes.find((s) => !isIssuedScope(s));
  if (unknown !== undefined || scopes.length === 0) {
    throw new UsageError(`--scopes takes read, send or both (${ISSUED_SCOPES.join(", ")})`);
  }
  return [...new Set(scopes.filter(isIssuedScope))];
}

async function readPassword(context: PersonCommandContext, username: string): Promise<string> {
  const { stdin } = context;
  if (stdin.isTTY) context.err(`Password for ${username}: `);
  // On a terminal readline echoes what is typed: to nowhere.
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input: stdin, output: nowhere, terminal: stdin.isTTY === true });
  try {
    for await (const line of lines) return line;
    return "";
  } finally {
    lines.close();
    if (stdin.isTTY) context.err("\n");
  }
}

/** The people of the file's text ("" when it does not exist yet). */
function peopleIn(before: string, file: string): PersonEntry[] {
  if (before.trim() === "") return [];
  try {
    return parsePeople(before);
  } catch (error) {
    if (error instanceof PeopleFileError) throw new PeopleFileError(`${file}: ${error.message}`);
    throw error;
  }
}

async function add(
  context: PersonCommandContext,
  username: string,
  file: string,
  values: { name?: string | undefined; scopes?: string | undefined },
): Promise<number> {
  if (values.name === undefined) throw new UsageError("--name is required");
  const badName = nameProblem(values.name);
  if (badName) throw new UsageError(`--name: ${badName}`);
  if (values.scopes === undefined) throw new UsageError("--scopes is required");
  const scopes = scopesFrom(values.scopes);
  const password = await readPassword(context, username);
  if (password.length < MIN_PASSWORD) {
    throw new UsageError(`the password (stdin) must be at least ${MIN_PASSWORD} characters`);
  }
  const person: PersonEntry = {
    username,
    name: values.name,
    password: await hashPassword(password),
    scopes,
  };
  let replaced = false;
  const written = editFile(file, (before) => {
    const people = peopleIn(before, file);
    const others = people.filter((p) => p.username !== username);
    replaced = others.length < people.length;
    return `${JSON.stringify({ people: [...others, person] }, null, 2)}\n`;
  });
  context.err(
    `${replaced ? "Updated" : "Added"} ${username} (${scopes.join(", ")}) in ${written.file}\n`,
  );
  return 0;
}

/** Takes the person out: after a restart their refresh tokens stop working. */
function remove(context: PersonCommandContext, username: string, file: string): number {
  const written = editFile(file, (before) => {
    const people = peopleIn(before, file);
    const others = people.filter((p) => p.username !== username);
    if (others.length === people.length) throw new PeopleFileError(`${file} has no ${username}`);
    return `${JSON.stringify({ people: others }, null, 2)}\n`;
  });
  context.err(`Removed ${username} from ${written.file}; restart the server for it to apply\n`);
  return 0;
}

/** Runs the subcommand; returns the exit code (2 for bad usage, 1 when the file cannot be written). */
export async function runPersonCommand(context: PersonCommandContext): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: context.argv,
      allowPositionals: true,
      options: {
        name: { type: "string" },
        scopes: { type: "string" },
        file: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (error) {
    context.err(`oauth-person: ${(error as Error).message}\n\n${personCommandHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    context.out(personCommandHelp);
    return 0;
  }
  try {
    const [verb, username, ...rest] = positionals;
    if ((verb !== "add" && verb !== "remove") || username === undefined || rest.length > 0) {
      throw new UsageError(
        "the commands are: oauth-person add USERNAME ..., oauth-person remove USERNAME",
      );
    }
    const badUsername = usernameProblem(username);
    if (badUsername) throw new UsageError(badUsername);
    const file = values.file ?? context.env.CLICKSEND_MCP_OAUTH_USERS;
    if (!file) {
      throw new UsageError("name the people file with --file or CLICKSEND_MCP_OAUTH_USERS");
    }
    if (verb === "remove") return remove(context, username, file);
    return await add(context, username, file, values);
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`oauth-person: ${error.message}\n\n${personCommandHelp}`);
      return 2;
    }
    if (error instanceof PeopleFileError || error instanceof WriteError) {
      context.err(`oauth-person: ${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code) {
      context.err(`oauth-person: cannot write the people file: ${code}\n`);
      return 1;
    }
    throw error;
  }
}
