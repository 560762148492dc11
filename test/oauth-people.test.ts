/**
 * The built-in authorization server's people file: its validation (errors name the file and the
 * entry, never the hash), scrypt passwords, `clicksend-mcp oauth-person add`, the per-username
 * sign-in backoff, and the key resolver the resource server verifies with.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { exportJWK, generateKeyPair, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { keyResolver, signingKeys } from "../src/oauth/builtin/keys.js";
import { hashPassword, verifyPassword } from "../src/oauth/builtin/passwords.js";
import { loadPeople, PeopleFileError, parsePeople } from "../src/oauth/builtin/people.js";
import { runPersonCommand } from "../src/oauth/builtin/person-command.js";
import { SignInBackoff } from "../src/oauth/builtin/sign-in-backoff.js";
import { memoryOAuthStore } from "../src/state/oauth-memory.js";
import type { OAuthStore } from "../src/state/oauth-store.js";

const HASH = await hashPassword("a long enough password");
const ana = { username: "ana", name: "Ana", password: HASH, scopes: ["clicksend:read"] };
const fileWith = (people: unknown) => JSON.stringify({ people });

describe("the people file", () => {
  it("reads entries by username", () => {
    expect(parsePeople(fileWith([ana]))).toEqual([ana]);
  });

  it.each([
    ["not json", "{", /^not JSON/],
    ["no people list", "{}", /"people" list/],
    ["a bad username", fileWith([{ ...ana, username: "a b" }]), /people\[0\] \("a b"\): username/],
    ["a username twice", fileWith([ana, ana]), /people\[1\] \("ana"\): username appears twice/],
    ["an empty name", fileWith([{ ...ana, name: " " }]), /people\[0\] \("ana"\): name must not/],
    [
      "an unknown scope",
      fileWith([{ ...ana, scopes: ["admin"] }]),
      /people\[0\] \("ana"\): scopes/,
    ],
    ["no scopes", fileWith([{ ...ana, scopes: [] }]), /scopes must be a non-empty list/],
  ])("refuses %s, naming the entry", (_case, text, message) => {
    expect(() => parsePeople(text)).toThrow(message);
  });

  it("refuses a password that is not a hash without repeating it", () => {
    let message = "";
    try {
      parsePeople(fileWith([{ ...ana, password: "plain-text-secret" }]));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/people\[0\] \("ana"\): password must be a scrypt hash/);
    expect(message).not.toContain("plain-text-secret");
  });

  it("names the file when it is missing or wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-people-"));
    expect(() => loadPeople(join(dir, "none.json"))).toThrow(/none\.json.*does not exist/);
    const file = join(dir, "people.json");
    writeFileSync(file, fileWith([]));
    expect(() => loadPeople(file)).toThrow(PeopleFileError);
    expect(() => loadPeople(file)).toThrow(/people\.json: lists nobody/);
  });
});

describe("passwords", () => {
  it("check against the scrypt hash", async () => {
    expect(HASH).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("a long enough password", HASH)).toBe(true);
    expect(await verifyPassword("a long enough passwore", HASH)).toBe(false);
    expect(await verifyPassword("a long enough password", undefined)).toBe(false);
  });
});

describe("oauth-person add", () => {
  async function run(argv: string[], password = "a long enough password\n") {
    let err = "";
    const code = await runPersonCommand({
      argv,
      env: {},
      stdin: Readable.from([password]),
      out: () => {},
      err: (text) => {
        err += text;
      },
    });
    return { code, err };
  }

  it("adds and replaces people in a 0600 file that the issuer reads", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "cs-people-")), "people.json");
    const added = await run([
      "add",
      "ana",
      "--name",
      "Ana Silva",
      "--scopes",
      "read,send",
      "--file",
      file,
    ]);
    expect(added).toEqual({ code: 0, err: expect.stringContaining("Added ana") });
    await run(["add", "rui", "--name", "Rui", "--scopes", "read", "--file", file]);
    const replaced = await run(
      ["add", "rui", "--name", "Rui Costa", "--scopes", "clicksend:send", "--file", file],
      "another long password\n",
    );
    expect(replaced.err).toContain("Updated rui");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const people = loadPeople(file);
    expect([...people.keys()]).toEqual(["ana", "rui"]);
    expect(people.get("rui")).toMatchObject({ name: "Rui Costa", scopes: ["clicksend:send"] });
    expect(await verifyPassword("another long password", people.get("rui")?.password)).toBe(true);
    expect(readFileSync(file, "utf8")).not.toContain("long password");
  });

  it("removes a person, and says so when there is no such person", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "cs-people-")), "people.json");
    await run(["add", "ana", "--name", "Ana", "--scopes", "read", "--file", file]);
    await run(["add", "rui", "--name", "Rui", "--scopes", "read", "--file", file]);
    expect(await run(["remove", "ana", "--file", file])).toEqual({
      code: 0,
      err: expect.stringContaining("Removed ana"),
    });
    expect([...loadPeople(file).keys()]).toEqual(["rui"]);
    const again = await run(["remove", "ana", "--file", file]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("has no ana");
  });

  it.each([
    [["add", "ana", "--name", "Ana", "--scopes", "read"], /--file or CLICKSEND_MCP_OAUTH_USERS/],
    [["add", "ana", "--name", "Ana", "--scopes", "write", "--file", "x"], /--scopes takes/],
    [["add", "ana", "--scopes", "read", "--file", "x"], /--name is required/],
    [["delete", "ana", "--file", "x"], /the commands are/],
  ])("refuses %j", async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("refuses a short password and writes nothing", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "cs-people-")), "people.json");
    const { code, err } = await run(
      ["add", "ana", "--name", "Ana", "--scopes", "read", "--file", file],
      "short\n",
    );
    expect(code).toBe(2);
    expect(err).toMatch(/at least 12 characters/);
    expect(() => statSync(file)).toThrow();
  });
});

describe("the sign-in backoff", () => {
  it("lets three failures pass, then doubles the wait, and forgets on success", () => {
    let now = 0;
    const backoff = new SignInBackoff({ now: () => now });
    for (let i = 0; i < 3; i++) backoff.failed("ana");
    expect(backoff.waitMs("ana")).toBe(0);
    backoff.failed("ana");
    expect(backoff.waitMs("ana")).toBe(1000);
    now += 1000;
    expect(backoff.waitMs("ana")).toBe(0);
    backoff.failed("ana");
    expect(backoff.waitMs("ana")).toBe(2000);
    expect(backoff.waitMs("rui")).toBe(0);
    backoff.succeeded("ana");
    expect(backoff.waitMs("ana")).toBe(0);
  });

  it("stays bounded: past 10,000 usernames the longest-quiet ones are forgotten", () => {
    const backoff = new SignInBackoff({ now: () => 0 });
    for (let i = 0; i < 4; i++) backoff.failed("ana");
    expect(backoff.waitMs("ana")).toBe(1000);
    for (let i = 0; i < 9_999; i++) backoff.failed(`guess-${i}`);
    expect(backoff.waitMs("ana")).toBe(1000);
    backoff.failed("one-more");
    expect(backoff.waitMs("ana")).toBe(0);
  });

  it("waits at most five minutes", () => {
    const backoff = new SignInBackoff({ now: () => 0 });
    for (let i = 0; i < 40; i++) backoff.failed("ana");
    expect(backoff.waitMs("ana")).toBe(5 * 60_000);
  });
});

describe("the issuer's key resolver", () => {
  it("reads the store again for a key it does not know, as after a rotation elsewhere", async () => {
    const store = memoryOAuthStore();
    const first = await signingKeys(store);
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const rotated = { ...(await exportJWK(publicKey)), kid: "rotated", alg: "ES256", use: "sig" };
    let reads = 0;
    const rotatedStore: OAuthStore = {
      ...store,
      once: async () => {
        reads++;
        return JSON.stringify({ keys: [...first.keys, rotated] });
      },
    };
    const getKey = keyResolver(first, rotatedStore);
    const token = await new SignJWT({ sub: "ana" })
      .setProtectedHeader({ alg: "ES256", kid: "rotated" })
      .sign(privateKey);
    expect((await jwtVerify(token, getKey)).payload.sub).toBe("ana");
    expect(reads).toBe(1);
    const unknown = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "nobody" })
      .sign(privateKey);
    await expect(jwtVerify(unknown, getKey)).rejects.toThrow(joseErrors.JWKSNoMatchingKey);
    await store.close();
  });
});
