/**
 * `clicksend-mcp setup <host>`, run as users run it (the built CLI): --print gives an entry in
 * the host's format that starts this install from any folder, and a write merges into the
 * host's file under a temporary HOME, with a backup, refusing a duplicate without --force.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findHost, HOSTS } from "../src/setup/hosts.js";
import { LockError, withFileLock } from "../src/setup/lock.js";
import { holdsSecret } from "../src/setup/secret-text.js";
import { writeWithBackup } from "../src/setup/write.js";
import { NAME } from "../src/version.js";
import { cleanEnv, ensureBuilt } from "./support/build.js";
import { connectHttp, startHttpServer } from "./support/http.js";
import { runCli, StdioServer } from "./support/stdio.js";
import { parseToml } from "./support/toml.js";

interface Entry {
  type?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  env_vars?: string[];
}
type Doc = Record<string, unknown>;

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "clicksend-mcp-setup-"));
  temporary.push(dir);
  return dir;
}

const parse = (format: "json" | "toml", text: string): Doc =>
  format === "toml" ? parseToml(text) : (JSON.parse(text) as Doc);

/** The servers of a host's config, by name. */
function serversOf(id: string, text: string): Record<string, Entry> {
  const host = findHost(id);
  if (!host) throw new Error(id);
  return (parse(host.format, text)[host.key] ?? {}) as Record<string, Entry>;
}

/** Secrets and secret-bearing variables: never on a command line. */
const SECRET = /CLICKSEND_(API_KEY|BEARER_TOKEN|MCP_HTTP_TOKEN)|canary-key/;

describe("setup <host> --print", () => {
  for (const host of HOSTS) {
    it(`${host.id}: an entry in the host's format with absolute paths to node and this install, credentials outside args`, async () => {
      const live = await runCli(["setup", host.id, "--print", "--read-only"]);
      expect(live.status, live.stderr).toBe(0);
      const entry = serversOf(host.id, live.stdout).clicksend;
      expect(entry).toBeDefined();
      const { command, args } = entry as Entry;
      for (const path of [command, args[0] as string]) {
        expect(isAbsolute(path), path).toBe(true);
        expect(existsSync(path), path).toBe(true);
      }
      expect(args.slice(1)).toEqual(["--read-only"]);
      expect(args.join(" ")).not.toMatch(SECRET);
      // Every host gets the credentials from somewhere other than args, and is told where.
      const credentials = JSON.stringify(entry?.env ?? entry?.env_vars);
      expect(credentials).toContain("CLICKSEND_API_KEY");
      expect(live.stderr).toContain("Credentials");
    });

    it(`${host.id}: the printed sandbox command, spawned exactly, answers initialize and tools/list`, async () => {
      const printed = await runCli([
        "setup",
        host.id,
        "--print",
        "--sandbox",
        "--toolsets",
        "account",
      ]);
      expect(printed.status, printed.stderr).toBe(0);
      const entry = serversOf(host.id, printed.stdout)["clicksend-sandbox"] as Entry;
      expect(entry.env).toBeUndefined();
      const server = StdioServer.spawn(entry.command, entry.args, cleanEnv());
      const client = await server.connect();
      try {
        expect(client.getServerVersion()?.name).toBe(NAME);
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name).sort()).toEqual(["get_account", "list_countries"]);
      } finally {
        await client.close();
      }
    });
  }
});

describe("setup <host> against a temporary HOME", () => {
  for (const host of HOSTS) {
    it(`${host.id}: creates the file, merges without losing other servers, backs up, refuses a duplicate without --force`, async () => {
      const home = tempHome();
      const env = { HOME: home };
      const file = host.path(env, "linux");
      expect(file.startsWith(home)).toBe(true);

      const created = await runCli(["setup", host.id, "--sandbox"], env);
      expect(created.status, created.stderr).toBe(0);
      expect(created.stdout).toContain(file);
      expect(Object.keys(serversOf(host.id, readFileSync(file, "utf8")))).toEqual([
        "clicksend-sandbox",
      ]);
      expect(readdirSync(dirname(file)).filter((f) => f.endsWith(".bak"))).toEqual([]);

      // A file of the user's, with another server and other settings.
      const theirs =
        host.format === "toml"
          ? `model = "o4-mini"\n\n[${host.key}.other]\ncommand = "other"\n\n[profiles.work]\nmodel = "x"\n`
          : `${JSON.stringify({ theme: "dark", [host.key]: { other: { command: "other" } } }, null, 2)}\n`;
      writeFileSync(file, theirs);
      const merged = await runCli(["setup", host.id, "--read-only"], env);
      expect(merged.status, merged.stderr).toBe(0);
      const after = readFileSync(file, "utf8");
      const doc = parse(host.format, after);
      const servers = serversOf(host.id, after);
      expect(Object.keys(servers)).toEqual(["other", "clicksend"]);
      expect(servers.other).toEqual({ command: "other" });
      expect(servers.clicksend?.args.slice(1)).toEqual(["--read-only"]);
      if (host.format === "toml")
        expect(doc).toMatchObject({ model: "o4-mini", profiles: { work: { model: "x" } } });
      else expect(doc.theme).toBe("dark");
      const backups = readdirSync(dirname(file)).filter((f) => f.endsWith(".bak"));
      expect(backups).toHaveLength(1);
      expect(readFileSync(join(dirname(file), backups[0] as string), "utf8")).toBe(theirs);

      const duplicate = await runCli(["setup", host.id], env);
      expect(duplicate.status).toBe(1);
      expect(duplicate.stderr).toMatch(/already.*--force/);
      expect(duplicate.stderr).toContain("Nothing was changed");
      expect(readFileSync(file, "utf8")).toBe(after);

      const forced = await runCli(["setup", host.id, "--force", "--toolsets", "sms"], env);
      expect(forced.status, forced.stderr).toBe(0);
      expect(forced.stdout).toContain("Replaced");
      const replaced = serversOf(host.id, readFileSync(file, "utf8"));
      expect(Object.keys(replaced)).toEqual(["other", "clicksend"]);
      expect(replaced.clicksend?.args.slice(1)).toEqual(["--toolsets", "sms"]);
      expect(readdirSync(dirname(file)).filter((f) => f.endsWith(".bak"))).toHaveLength(2);
    });
  }

  it("vscode: adds its secret prompts once, keeping the user's own inputs", async () => {
    const home = tempHome();
    const file = findHost("vscode")?.path({ HOME: home }, "linux") as string;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ inputs: [{ id: "mine", type: "promptString" }] }));
    await runCli(["setup", "vscode"], { HOME: home });
    await runCli(["setup", "vscode", "--name", "second"], { HOME: home });
    const doc = JSON.parse(readFileSync(file, "utf8")) as { inputs: Array<{ id: string }> };
    expect(doc.inputs.map((input) => input.id)).toEqual([
      "mine",
      "clicksend-username",
      "clicksend-api-key",
    ]);
  });

  it("claude-desktop: copies the credentials into env (its only place for them), never into args or output", async () => {
    const home = tempHome();
    const env = { HOME: home, CLICKSEND_USERNAME: "ava", CLICKSEND_API_KEY: "canary-key-123" };
    const result = await runCli(["setup", "claude-desktop"], env);
    expect(result.status, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain("canary-key-123");
    expect(result.stderr).toMatch(/plain text.*\.mcpb bundle/);
    const file = findHost("claude-desktop")?.path({ HOME: home }, "linux") as string;
    const entry = serversOf("claude-desktop", readFileSync(file, "utf8")).clicksend as Entry;
    expect(entry.env).toEqual({ CLICKSEND_USERNAME: "ava", CLICKSEND_API_KEY: "canary-key-123" });
    expect(entry.args.join(" ")).not.toMatch(SECRET);
  });

  it("refuses a file it would have to rewrite lossily (JSON with comments), changing nothing", async () => {
    const home = tempHome();
    const file = findHost("cursor")?.path({ HOME: home }, "linux") as string;
    mkdirSync(dirname(file), { recursive: true });
    const jsonc = '{\n  // mine\n  "mcpServers": {}\n}\n';
    writeFileSync(file, jsonc);
    const result = await runCli(["setup", "cursor"], { HOME: home });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: it is not plain JSON`);
    expect(readFileSync(file, "utf8")).toBe(jsonc);
  });

  it("follows XDG_CONFIG_HOME and CODEX_HOME, and writes --config-file when given", async () => {
    const home = tempHome();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, "xdg"), CODEX_HOME: join(home, "cx") };
    await runCli(["setup", "claude-desktop", "--sandbox"], env);
    await runCli(["setup", "codex", "--sandbox"], env);
    expect(existsSync(join(home, "xdg", "Claude", "claude_desktop_config.json"))).toBe(true);
    expect(existsSync(join(home, "cx", "config.toml"))).toBe(true);
    const project = join(home, "project", ".cursor", "mcp.json");
    const result = await runCli(["setup", "cursor", "--sandbox", "--config-file", project], env);
    expect(result.status, result.stderr).toBe(0);
    expect(Object.keys(serversOf("cursor", readFileSync(project, "utf8")))).toEqual([
      "clicksend-sandbox",
    ]);
  });
});

describe("setup's usage", () => {
  it("--help lists every host with its config file on macOS, Windows and Linux", async () => {
    const result = await runCli(["setup", "--help"]);
    expect(result.status).toBe(0);
    for (const host of HOSTS) {
      expect(result.stdout).toContain(host.id);
      for (const where of Object.values(host.shown)) expect(result.stdout).toContain(where);
    }
    expect(result.stdout).toMatch(/macOS:[\s\S]*Windows:[\s\S]*Linux:/);
  });

  it("an unknown host, a bad guard or a bad name exits 2 naming the problem", async () => {
    const unknown = await runCli(["setup", "emacs"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      "choose one of claude-desktop, claude-code, cursor, vscode, codex, windsurf, gemini",
    );
    const guard = await runCli(["setup", "cursor", "--print", "--toolsets", "nope"]);
    expect(guard.status).toBe(2);
    expect(guard.stderr).toContain("--toolsets must list toolsets");
    const name = await runCli(["setup", "cursor", "--print", "--name", "a b"]);
    expect(name.status).toBe(2);
    expect(name.stderr).toContain("--name must be");
    const secret = await runCli(["setup", "cursor", "--api-key=canary-key-123"]);
    expect(secret.status).toBe(2);
    expect(secret.stderr).not.toContain("canary-key-123");
  });
});

describe("writeWithBackup", () => {
  it("creates a new file readable by its owner only, and keeps an existing file's mode in the file and its backup", () => {
    const dir = tempHome();
    const fresh = join(dir, "a", "new.json");
    expect(writeWithBackup(fresh, "{}\n")).toBeUndefined();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const shared = join(dir, "shared.json");
    writeFileSync(shared, "old\n", { mode: 0o640 });
    chmodSync(shared, 0o640);
    const backup = writeWithBackup(shared, "new\n", new Date("2026-12-02T10:00:00.123Z"));
    expect(backup).toBe(`${shared}.20261202T100000Z.bak`);
    expect(readFileSync(backup as string, "utf8")).toBe("old\n");
    expect(statSync(backup as string).mode & 0o777).toBe(0o640);
    expect(readFileSync(shared, "utf8")).toBe("new\n");
    expect(statSync(shared).mode & 0o777).toBe(0o640);
    // A second write in the same second keeps the first backup.
    const second = writeWithBackup(shared, "newer\n", new Date("2026-12-02T10:00:00.456Z"));
    expect(second).toBe(`${shared}.20261202T100000Z-2.bak`);
    expect(readFileSync(backup as string, "utf8")).toBe("old\n");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("each host's config file", () => {
  it("is where setup --help says, on macOS, Windows and Linux", () => {
    const env = { HOME: "/h", USERPROFILE: "/u", APPDATA: "/u/AppData/Roaming" };
    /** The shown location with its variables filled in from env (the default where it has one). */
    const expand = (shown: string) =>
      (shown.split(" (")[0] as string)
        .replace(/^~|^\$XDG_CONFIG_HOME/, (v) => (v === "~" ? "/h" : "/h/.config"))
        .replace("$CODEX_HOME", "/h/.codex")
        .replace("%APPDATA%", env.APPDATA)
        .replace("%USERPROFILE%", env.USERPROFILE)
        .replace(/\\/g, "/");
    for (const host of HOSTS) {
      for (const platform of ["darwin", "win32", "linux"] as const) {
        expect(host.path(env, platform).replace(/\\/g, "/"), `${host.id} on ${platform}`).toBe(
          expand(host.shown[platform]),
        );
      }
    }
  });
});

/** The built CLI run without waiting for it, so several can run at once. */
async function runCliAsync(args: string[], env: Record<string, string>) {
  const cli = await ensureBuilt();
  return new Promise<{ status: number | null; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { env: cleanEnv(env) });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.end();
    child.on("error", fail);
    child.on("close", (status) => done({ status, stderr }));
  });
}

const modeOf = (path: string) => statSync(path).mode & 0o777;
const backupsOf = (file: string) =>
  readdirSync(dirname(file))
    .filter((name) => name.startsWith(`${basename(file)}.`) && name.endsWith(".bak"))
    .map((name) => join(dirname(file), name));
const isRoot = process.getuid?.() === 0;
/** A host's `${name}` reference to a variable, as text. */
const reference = (name: string) => `\${${name}}`;

describe("setup keeps the host's file safe (issue 24)", () => {
  it("a file that gets the API key ends 0600, and so do its backups, old and new", async () => {
    const home = tempHome();
    const env = { HOME: home, CLICKSEND_USERNAME: "ava", CLICKSEND_API_KEY: "canary-key-123" };
    const file = findHost("claude-desktop")?.path({ HOME: home }, "linux") as string;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{ "mcpServers": {} }\n');
    chmodSync(file, 0o644);
    // A backup left by an earlier version, world-readable, holding a key.
    const old = `${file}.20260101T000000Z.bak`;
    writeFileSync(old, '{"mcpServers":{"x":{"env":{"CLICKSEND_API_KEY":"old-key"}}}}');
    chmodSync(old, 0o644);
    const result = await runCli(["setup", "claude-desktop"], env);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("canary-key-123");
    expect(modeOf(file)).toBe(0o600);
    expect(backupsOf(file)).toHaveLength(2);
    for (const backup of backupsOf(file)) expect(modeOf(backup), backup).toBe(0o600);
  });

  it("a file with only references to variables keeps its mode", async () => {
    const home = tempHome();
    const file = findHost("cursor")?.path({ HOME: home }, "linux") as string;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "{}\n");
    chmodSync(file, 0o644);
    const result = await runCli(["setup", "cursor"], { HOME: home });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(reference("env:CLICKSEND_API_KEY"));
    expect(modeOf(file)).toBe(0o644);
  });

  it("follows a symlinked config (a dotfiles repository) and edits its target in place", async () => {
    const home = tempHome();
    const file = findHost("claude-code")?.path({ HOME: home }, "linux") as string;
    const target = join(home, "dotfiles", "claude.json");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '{ "mcpServers": { "other": { "command": "other" } } }\n');
    symlinkSync("dotfiles/claude.json", file);
    const result = await runCli(["setup", "claude-code", "--sandbox"], { HOME: home });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${target} (the target of ${file})`);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(Object.keys(serversOf("claude-code", readFileSync(target, "utf8")))).toEqual([
      "other",
      "clicksend-sandbox",
    ]);
    expect(backupsOf(target)).toHaveLength(1);
    // A link whose target does not exist yet: the target is created, the link kept.
    const dangling = join(home, "link.json");
    symlinkSync(join(home, "dotfiles", "new.json"), dangling);
    const created = await runCli(["setup", "cursor", "--sandbox", "--config-file", dangling], {
      HOME: home,
    });
    expect(created.status, created.stderr).toBe(0);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(Object.keys(serversOf("cursor", readFileSync(dangling, "utf8")))).toEqual([
      "clicksend-sandbox",
    ]);
  });

  it("8 runs at once on one file keep all 8 entries, round after round", async () => {
    const home = tempHome();
    const env = { HOME: home };
    const file = findHost("cursor")?.path(env, "linux") as string;
    const names: string[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 8 }, (_, i) => `r${round}-s${i}`);
      names.push(...batch);
      const results = await Promise.all(
        batch.map((name) => runCliAsync(["setup", "cursor", "--sandbox", "--name", name], env)),
      );
      for (const result of results) expect(result.status, result.stderr).toBe(0);
      expect(Object.keys(serversOf("cursor", readFileSync(file, "utf8"))).sort()).toEqual(
        [...names].sort(),
      );
    }
    // Each run but the very first backed up the file it found; none overwrote another's backup.
    expect(backupsOf(file)).toHaveLength(23);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.skipIf(!isRoot)(
    "a file owned by another user keeps its owner and group (needs root)",
    async () => {
      const home = tempHome();
      const file = findHost("claude-desktop")?.path({ HOME: home }, "linux") as string;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, "{}\n");
      chownSync(file, 65534, 65534);
      const result = await runCli(["setup", "claude-desktop", "--sandbox"], { HOME: home });
      expect(result.status, result.stderr).toBe(0);
      for (const path of [file, ...backupsOf(file)]) {
        expect({ uid: statSync(path).uid, gid: statSync(path).gid }, path).toEqual({
          uid: 65534,
          gid: 65534,
        });
      }
    },
  );

  it("a lock left by a run that died is taken over; a live one is waited for, then named", async () => {
    const home = tempHome();
    const file = findHost("gemini")?.path({ HOME: home }, "linux") as string;
    mkdirSync(dirname(file), { recursive: true });
    // A pid no process has: above the kernel's pid_max.
    writeFileSync(`${file}.lock`, "4194305\n");
    const result = await runCli(["setup", "gemini", "--sandbox"], { HOME: home });
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(`${file}.lock`)).toBe(false);

    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    expect(() => withFileLock(file, () => "ran", 0)).toThrow(LockError);
    expect(() => withFileLock(file, () => "ran", 0)).toThrow(
      `its lock ${file}.lock is held by another setup (pid ${process.pid})`,
    );
    rmSync(`${file}.lock`);
    expect(withFileLock(file, () => "ran", 0)).toBe("ran");
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("knows a credential in JSON and TOML from a reference to a variable", () => {
    for (const text of [
      '{"env":{"CLICKSEND_API_KEY":"abc"}}',
      '{"env":{"GITHUB_TOKEN":"ghp_x"}}',
      '{"headers":{"Authorization":"Bearer x"}}',
      'env = { OPENAI_API_KEY = "sk-1" }',
      "[x]\nclient_secret = 's'",
    ]) {
      expect(holdsSecret(text), text).toBe(true);
    }
    for (const text of [
      '{"env":{"CLICKSEND_API_KEY":""}}',
      `{"env":{"CLICKSEND_API_KEY":"${reference("env:CLICKSEND_API_KEY")}"}}`,
      `{"env":{"CLICKSEND_API_KEY":"${reference("CLICKSEND_API_KEY:-")}"}}`,
      '{"env":{"CLICKSEND_API_KEY":"$CLICKSEND_API_KEY"}}',
      `{"env":{"CLICKSEND_API_KEY":"${reference("input:clicksend-api-key")}"}}`,
      'env_vars = ["CLICKSEND_USERNAME", "CLICKSEND_API_KEY"]',
      `{"headers":{"Authorization":"Bearer ${reference("env:CLICKSEND_MCP_HTTP_TOKEN")}"}}`,
      'bearer_token_env_var = "CLICKSEND_MCP_HTTP_TOKEN"',
      '{"theme":"dark","tokens":3}',
    ]) {
      expect(holdsSecret(text), text).toBe(false);
    }
  });
});

/** The remote entry setup --url writes for each host (issue 26), checked against its docs. */
const URL_ = "https://texts.example.com/mcp";
const REMOTE_SHAPES: Record<string, Record<string, unknown> | undefined> = {
  "claude-desktop": undefined,
  "claude-code": { type: "http", url: URL_ },
  cursor: { url: URL_ },
  vscode: { type: "http", url: URL_ },
  codex: { url: URL_ },
  windsurf: { serverUrl: URL_ },
  gemini: { httpUrl: URL_ },
};
const VAR = "CLICKSEND_MCP_HTTP_TOKEN";
/** The fields --token-env adds, in each host's own reference syntax; undefined: refused. */
const BEARER_FIELDS: Record<string, Record<string, unknown> | undefined> = {
  "claude-desktop": undefined,
  "claude-code": { headers: { Authorization: `Bearer ${reference(VAR)}` } },
  cursor: { headers: { Authorization: `Bearer ${reference(`env:${VAR}`)}` } },
  vscode: { headers: { Authorization: `Bearer ${reference("input:clicksend-http-token")}` } },
  codex: { bearer_token_env_var: VAR },
  windsurf: { headers: { Authorization: `Bearer ${reference(`env:${VAR}`)}` } },
  gemini: undefined,
};

describe("setup <host> --url: a server that runs elsewhere (issue 26)", () => {
  it("knows every host", () => {
    expect(Object.keys(REMOTE_SHAPES).sort()).toEqual(HOSTS.map((host) => host.id).sort());
  });

  for (const host of HOSTS) {
    const shape = REMOTE_SHAPES[host.id];
    it(`${host.id}: ${shape ? "writes the host's remote shape, no secret, and says how to sign in" : "writes nothing and says how to add a custom connector"}`, async () => {
      const home = tempHome();
      const env = { HOME: home, [VAR]: "canary-token-123" };
      const file = host.path(env, "linux");
      const printed = await runCli(["setup", host.id, "--url", URL_, "--print"], env);
      expect(printed.status, printed.stderr).toBe(0);
      const written = await runCli(["setup", host.id, "--url", URL_], env);
      expect(written.status, written.stderr).toBe(0);
      if (!shape) {
        expect(printed.stdout).toContain("Settings → Connectors → Add custom connector");
        expect(printed.stdout).toContain(URL_);
        expect(written.stdout).toContain("Nothing was written");
        expect(existsSync(file)).toBe(false);
        return;
      }
      expect(serversOf(host.id, printed.stdout).clicksend).toEqual(shape);
      expect(printed.stderr).toMatch(/^To sign in: /);
      const text = readFileSync(file, "utf8");
      expect(serversOf(host.id, text)).toEqual({ clicksend: shape });
      expect(holdsSecret(text)).toBe(false);
      expect(text).not.toContain("canary-token-123");
      expect(written.stderr).toMatch(/^To sign in: /);
    });

    const bearer = BEARER_FIELDS[host.id];
    it(`${host.id}: --token-env ${bearer ? "adds a bearer header from a reference, never the token" : "is refused, nothing written"}`, async () => {
      const home = tempHome();
      const env = { HOME: home, [VAR]: "canary-token-123" };
      const file = host.path(env, "linux");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, host.format === "toml" ? "" : "{}\n");
      chmodSync(file, 0o644);
      const result = await runCli(["setup", host.id, "--url", URL_, "--token-env", VAR], env);
      expect(`${result.stdout}${result.stderr}`).not.toContain("canary-token-123");
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain("canary-token-123");
      if (!bearer) {
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("leave out --token-env");
        expect(text).toBe(host.format === "toml" ? "" : "{}\n");
        return;
      }
      expect(result.status, result.stderr).toBe(0);
      expect(serversOf(host.id, text).clicksend).toEqual({ ...REMOTE_SHAPES[host.id], ...bearer });
      expect(result.stderr).toMatch(/^Token: /m);
      // A reference is no credential: the file keeps its mode.
      expect(holdsSecret(text)).toBe(false);
      expect(modeOf(file)).toBe(0o644);
      if (host.id === "vscode") {
        const doc = JSON.parse(text) as { inputs: Array<Record<string, unknown>> };
        expect(doc.inputs).toEqual([
          expect.objectContaining({ id: "clicksend-http-token", password: true }),
        ]);
      }
    });
  }

  it("the written entry reaches a running server: URL and bearer header as the host resolves them", async () => {
    const token = "remote-token-0123456789abcdef";
    const server = await startHttpServer([], { [VAR]: token });
    try {
      for (const host of HOSTS.filter((h) => BEARER_FIELDS[h.id])) {
        const printed = await runCli([
          "setup",
          host.id,
          "--url",
          server.url,
          "--token-env",
          VAR,
          "--print",
        ]);
        expect(printed.status, printed.stderr).toBe(0);
        const entry = serversOf(host.id, printed.stdout).clicksend as unknown as Record<
          string,
          unknown
        >;
        const url = (entry.url ?? entry.serverUrl ?? entry.httpUrl) as string;
        expect(url, host.id).toBe(server.url);
        // What the host sends: its reference filled in from the environment (or VS Code's prompt).
        const header = entry.bearer_token_env_var
          ? `Bearer ${token}`
          : ((entry.headers as Record<string, string>).Authorization ?? "").replace(
              /\$\{[^}]+\}/,
              token,
            );
        const client = await connectHttp(url, { authorization: header });
        try {
          const { tools } = await client.listTools();
          expect(
            tools.map((tool) => tool.name),
            host.id,
          ).toContain("get_account");
        } finally {
          await client.close();
        }
      }
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("takes https, or http on loopback only, and refuses what cannot work, naming the flag", async () => {
    const ok = await runCli(["setup", "cursor", "--print", "--url", "http://127.0.0.1:8787/mcp"]);
    expect(ok.status, ok.stderr).toBe(0);
    for (const [host, args, problem] of [
      ["cursor", ["--url", "http://texts.example.com/mcp"], "--url must use https"],
      ["cursor", ["--url", "ftp://texts.example.com/mcp"], "--url must use https"],
      ["cursor", ["--url", "texts.example.com/mcp"], "--url must be an absolute URL"],
      ["cursor", ["--url", "https://ava:hunter2-secret@texts.example.com/mcp"], "--url must not"],
      ["cursor", ["--url", URL_, "--read-only"], "the server's flags (--read-only) are set"],
      ["cursor", ["--url", URL_, "--token-env", "1BAD"], "--token-env must name a"],
      ["cursor", ["--token-env", VAR], "--token-env needs --url"],
      ["gemini", ["--url", URL_, "--token-env", VAR], "leave out --token-env"],
      ["claude-desktop", ["--url", URL_, "--token-env", VAR], "leave out --token-env"],
    ] as const) {
      const result = await runCli(["setup", host, "--print", ...args]);
      expect(result.status, `${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).not.toContain("hunter2-secret");
    }
  });
});
