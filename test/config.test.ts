import { describe, expect, it } from "vitest";
import { type Config, DEFAULT_BASE_URL, help as helpText, parseCli } from "../src/config.js";
import { ConfigError } from "../src/errors.js";
import { VERSION } from "../src/version.js";
import { toolsets } from "../tools/index.js";
import { runCli as run } from "./support/stdio.js";

const CREDS = { CLICKSEND_USERNAME: "user", CLICKSEND_API_KEY: "KEY-123" };

/** The ConfigError problems parseCli reports; fails the test if it parses. */
function problems(argv: string[], env: Record<string, string | undefined>): string[] {
  try {
    parseCli(argv, env, toolsets);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a configuration error");
}

function config(argv: string[], env: Record<string, string | undefined>): Config {
  const action = parseCli(argv, env, toolsets);
  if (action.kind !== "serve") throw new Error(`expected serve, got ${action.kind}`);
  return action.config;
}

describe("parseCli", () => {
  it("parses credentials into a Basic-auth config with defaults", () => {
    expect(config([], CREDS)).toEqual({
      sandbox: false,
      baseUrl: DEFAULT_BASE_URL,
      auth: { kind: "basic", username: "user", apiKey: "KEY-123" },
      timeoutMs: 30_000,
      readOnly: false,
      logLevel: "info",
      sending: { duplicateWindowS: 600, confirmationTtlS: 600 },
    });
  });

  it("parses --watch-replies and CLICKSEND_WATCH_REPLIES_S: off by default, at least 10 s", () => {
    expect(config([], CREDS).watchRepliesS).toBeUndefined();
    expect(config(["--watch-replies"], CREDS).watchRepliesS).toBe(30);
    expect(config(["--watch-replies", "--read-only"], CREDS).watchRepliesS).toBe(30);
    expect(config(["--watch-replies", "45"], CREDS).watchRepliesS).toBe(45);
    expect(config(["--watch-replies=60"], CREDS).watchRepliesS).toBe(60);
    expect(config([], { ...CREDS, CLICKSEND_WATCH_REPLIES_S: "20" }).watchRepliesS).toBe(20);
    expect(
      config([], { ...CREDS, CLICKSEND_WATCH_REPLIES_S: "off" }).watchRepliesS,
    ).toBeUndefined();
    expect(problems([], { ...CREDS, CLICKSEND_WATCH_REPLIES_S: "5" })).toEqual([
      "CLICKSEND_WATCH_REPLIES_S must be a whole number of seconds from 10 to 86400 (or off)",
    ]);
    expect(problems(["--watch-replies", "9"], CREDS)).toEqual([
      "--watch-replies must be a whole number of seconds from 10 to 86400",
    ]);
    expect(problems(["--watch-replies", "--http"], CREDS)[0]).toMatch(
      /--watch-replies is for stdio/,
    );
    // Over HTTP the variable is ignored: the watcher runs for a stdio host only.
    expect(
      config(["--http"], { ...CREDS, CLICKSEND_WATCH_REPLIES_S: "20" }).watchRepliesS,
    ).toBeUndefined();
  });

  it("parses the operator's sending guards from flags or variables, naming bad ones", () => {
    const sending = config(
      ["--allowed-recipients", "+61*,+447777777777", "--daily-message-limit=50"],
      {
        ...CREDS,
        CLICKSEND_MAX_RECIPIENTS_PER_CALL: "10",
        CLICKSEND_DUPLICATE_WINDOW_S: "0",
      },
    ).sending;
    expect(sending).toEqual({
      allowedRecipients: ["+61*", "+447777777777"],
      maxRecipientsPerCall: 10,
      dailyMessageLimit: 50,
      duplicateWindowS: 0,
      confirmationTtlS: 600,
    });
    expect(
      problems([], {
        ...CREDS,
        CLICKSEND_ALLOWED_RECIPIENTS: "61411111111",
        CLICKSEND_MAX_RECIPIENTS_PER_CALL: "0",
        CLICKSEND_DAILY_MESSAGE_LIMIT: "lots",
      }),
    ).toEqual([
      "CLICKSEND_ALLOWED_RECIPIENTS must list E.164 numbers or prefixes ending in * (e.g. +61411111111,+44*)",
      "CLICKSEND_MAX_RECIPIENTS_PER_CALL must be a whole number of at least 1",
      "CLICKSEND_DAILY_MESSAGE_LIMIT must be a whole number of at least 0",
    ]);
  });

  it("parses confirmations and the daily spend limit, naming bad values", () => {
    expect(
      config(["--require-confirmation", "--daily-spend-limit", "12.50"], CREDS).sending,
    ).toMatchObject({ requireConfirmation: true, dailySpendLimit: 12.5, confirmationTtlS: 600 });
    expect(
      config([], {
        ...CREDS,
        CLICKSEND_REQUIRE_CONFIRMATION: "1",
        CLICKSEND_DAILY_SPEND_LIMIT: "0",
        CLICKSEND_CONFIRMATION_TTL_S: "120",
      }).sending,
    ).toMatchObject({ requireConfirmation: true, dailySpendLimit: 0, confirmationTtlS: 120 });
    expect(
      config([], { ...CREDS, CLICKSEND_REQUIRE_CONFIRMATION: "0" }).sending,
    ).not.toHaveProperty("requireConfirmation");
    expect(
      problems([], {
        ...CREDS,
        CLICKSEND_REQUIRE_CONFIRMATION: "please",
        CLICKSEND_DAILY_SPEND_LIMIT: "$20",
        CLICKSEND_CONFIRMATION_TTL_S: "0",
      }),
    ).toEqual([
      "CLICKSEND_DAILY_SPEND_LIMIT must be an amount like 25 or 12.50, in the account's currency",
      "CLICKSEND_CONFIRMATION_TTL_S must be a whole number of at least 1",
      "CLICKSEND_REQUIRE_CONFIRMATION must be on or off (1 or 0)",
    ]);
  });

  it("parses the per-person daily limits from flags or variables, naming bad values", () => {
    expect(config([], CREDS).sending).not.toHaveProperty("personDailyMessageLimit");
    expect(config([], CREDS).sending).not.toHaveProperty("personDailySpendLimit");
    expect(
      config([], {
        ...CREDS,
        CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT: "50",
        CLICKSEND_PERSON_DAILY_SPEND_LIMIT: "4.25",
      }).sending,
    ).toMatchObject({ personDailyMessageLimit: 50, personDailySpendLimit: 4.25 });
    expect(
      config(["--person-daily-message-limit", "0", "--person-daily-spend-limit=10"], {
        ...CREDS,
        CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT: "50",
      }).sending,
    ).toMatchObject({ personDailyMessageLimit: 0, personDailySpendLimit: 10 });
    expect(
      problems([], {
        ...CREDS,
        CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT: "-1",
        CLICKSEND_PERSON_DAILY_SPEND_LIMIT: "ten",
      }),
    ).toEqual([
      "CLICKSEND_PERSON_DAILY_MESSAGE_LIMIT must be a whole number of at least 0",
      "CLICKSEND_PERSON_DAILY_SPEND_LIMIT must be an amount like 25 or 12.50, in the account's currency",
    ]);
    expect(problems(["--person-daily-message-limit", "1.5"], CREDS)).toEqual([
      "--person-daily-message-limit must be a whole number of at least 0",
    ]);
    expect(helpText(toolsets)).toContain("--person-daily-message-limit N");
    expect(helpText(toolsets)).toContain("CLICKSEND_PERSON_DAILY_SPEND_LIMIT");
  });

  it("leaves CLICKSEND_SKIP_OPTED_OUT on unless the flag or variable turns it off", () => {
    expect(config([], CREDS).sending).not.toHaveProperty("skipOptedOut");
    expect(config([], { ...CREDS, CLICKSEND_SKIP_OPTED_OUT: "1" }).sending).not.toHaveProperty(
      "skipOptedOut",
    );
    expect(config([], { ...CREDS, CLICKSEND_SKIP_OPTED_OUT: "0" }).sending).toMatchObject({
      skipOptedOut: false,
    });
    expect(
      config(["--skip-opted-out", "off"], { ...CREDS, CLICKSEND_SKIP_OPTED_OUT: "on" }).sending,
    ).toMatchObject({ skipOptedOut: false });
    expect(problems([], { ...CREDS, CLICKSEND_SKIP_OPTED_OUT: "maybe" })).toEqual([
      "CLICKSEND_SKIP_OPTED_OUT must be on or off (1 or 0)",
    ]);
  });

  it("reports both credentials missing, pointing at --sandbox", () => {
    const found = problems([], {});
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("CLICKSEND_USERNAME and CLICKSEND_API_KEY are missing");
    expect(found[0]).toContain("--sandbox");
  });

  it("reports only the key missing", () => {
    expect(problems([], { CLICKSEND_USERNAME: "user" })).toEqual(["CLICKSEND_API_KEY is missing"]);
    expect(problems([], { CLICKSEND_USERNAME: "user", CLICKSEND_API_KEY: "  " })).toEqual([
      "CLICKSEND_API_KEY is missing",
    ]);
  });

  it("reports only the username missing", () => {
    expect(problems([], { CLICKSEND_API_KEY: "KEY-123" })).toEqual([
      "CLICKSEND_USERNAME is missing",
    ]);
  });

  it("refuses a username containing ':'", () => {
    expect(problems([], { ...CREDS, CLICKSEND_USERNAME: "a:b" })).toEqual([
      "CLICKSEND_USERNAME must not contain ':'",
    ]);
  });

  it("refuses a base URL that is not a URL", () => {
    expect(problems([], { ...CREDS, CLICKSEND_BASE_URL: "rest.clicksend.com/v3" })).toEqual([
      "CLICKSEND_BASE_URL is not a valid URL",
    ]);
  });

  it("refuses plain http except on loopback", () => {
    for (const url of ["http://rest.clicksend.com/v3", "http://localhost.example.com/v3"]) {
      expect(problems([], { ...CREDS, CLICKSEND_BASE_URL: url })[0]).toContain("must use https");
    }
    for (const url of ["http://localhost:8080/v3", "http://127.0.0.1:9/v3", "http://[::1]:9/v3"]) {
      expect(config([], { ...CREDS, CLICKSEND_BASE_URL: url }).baseUrl).toBe(url);
    }
  });

  it("refuses credentials, a query or a fragment in the base URL", () => {
    expect(
      problems([], { ...CREDS, CLICKSEND_BASE_URL: "https://u:p@gw.example.com/v3" })[0],
    ).toContain("must not contain credentials");
    expect(
      problems([], { ...CREDS, CLICKSEND_BASE_URL: "https://gw.example.com/v3?x=1" }),
    ).toHaveLength(1);
  });

  it("strips a trailing slash from the base URL", () => {
    expect(
      config([], { ...CREDS, CLICKSEND_BASE_URL: "https://gw.example.com/clicksend/v3/" }).baseUrl,
    ).toBe("https://gw.example.com/clicksend/v3");
  });

  it("needs a gateway base URL for a bearer token", () => {
    const found = problems([], { CLICKSEND_BEARER_TOKEN: "tok" });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("CLICKSEND_BEARER_TOKEN");
    expect(found[0]).toContain("CLICKSEND_BASE_URL");
    expect(found[0]).not.toContain('tok"');
    const gateway = config([], {
      CLICKSEND_BEARER_TOKEN: "tok",
      CLICKSEND_BASE_URL: "https://gw.example.com/clicksend/v3",
    });
    expect(gateway.auth).toEqual({ kind: "bearer", token: "tok" });
  });

  it.each(["abc", "500", "1.5", "300001", "-1"])("refuses CLICKSEND_TIMEOUT_MS=%s", (value) => {
    expect(problems([], { ...CREDS, CLICKSEND_TIMEOUT_MS: value })[0]).toContain(
      "CLICKSEND_TIMEOUT_MS",
    );
  });

  it("accepts a timeout in range", () => {
    expect(config([], { ...CREDS, CLICKSEND_TIMEOUT_MS: "5000" }).timeoutMs).toBe(5000);
  });

  it("refuses an unknown flag", () => {
    expect(problems(["--frobnicate"], CREDS)).toEqual(['unknown option "--frobnicate"']);
  });

  it("never echoes the value of an unknown flag (it may be a secret)", () => {
    const secret = "D83DED51-9E35-4D42-9BB9-0E34B7CA85AE";
    const found = [
      ...problems([`--api-key=${secret}`], CREDS),
      ...problems(["--api-key", secret], CREDS),
    ];
    expect(found.join(" ")).toContain("--api-key");
    for (const problem of found) expect(problem).not.toContain(secret.slice(0, 8));
  });

  it("refuses bad toolsets from the flag or the environment", () => {
    expect(problems(["--toolsets", "sms,bogus"], CREDS)[0]).toContain("--toolsets must list");
    expect(problems(["--toolsets=,"], CREDS)[0]).toContain("--toolsets must list");
    expect(problems(["--toolsets"], CREDS)).toEqual(["--toolsets needs a value"]);
    expect(problems([], { ...CREDS, CLICKSEND_TOOLSETS: "nope" })[0]).toContain(
      "CLICKSEND_TOOLSETS must list",
    );
  });

  it("accepts toolsets as --toolsets x,y and --toolsets=x", () => {
    expect(config(["--toolsets", "sms, lists"], CREDS).toolsets).toEqual(["sms", "lists"]);
    expect(config(["--toolsets=account"], CREDS).toolsets).toEqual(["account"]);
  });

  it("accepts default and all among the toolsets, each toolset once", () => {
    const names = toolsets.map((t) => t.name);
    const defaults = toolsets.filter((t) => t.default).map((t) => t.name);
    expect(config(["--toolsets", "all"], CREDS).toolsets).toEqual(names);
    expect(config([], { ...CREDS, CLICKSEND_TOOLSETS: "default" }).toolsets).toEqual(defaults);
    expect(config(["--toolsets", "sms,default"], CREDS).toolsets).toEqual([
      "sms",
      ...defaults.filter((n) => n !== "sms"),
    ]);
    expect(problems(["--toolsets", "all,bogus"], CREDS)[0]).toBe(
      `--toolsets must list toolsets from ${names.join(", ")} (got "all,bogus")`,
    );
  });

  it("refuses an unknown log level", () => {
    expect(problems([], { ...CREDS, CLICKSEND_LOG_LEVEL: "loud" })[0]).toContain(
      "CLICKSEND_LOG_LEVEL",
    );
  });

  it("reports every problem at once", () => {
    expect(problems(["--nope"], { CLICKSEND_TIMEOUT_MS: "x" })).toHaveLength(3);
  });

  it("needs no credentials with --sandbox or CLICKSEND_SANDBOX=1", () => {
    expect(config(["--sandbox"], {})).toMatchObject({ sandbox: true, auth: { kind: "none" } });
    expect(config([], { CLICKSEND_SANDBOX: "1" })).toMatchObject({ sandbox: true });
    expect(config(["--sandbox", "--read-only"], {}).readOnly).toBe(true);
  });

  it("answers --help and --version before checking anything else", () => {
    expect(parseCli(["--help"], {}, toolsets)).toEqual({ kind: "help" });
    expect(parseCli(["-h", "--bogus"], {}, toolsets)).toEqual({ kind: "help" });
    expect(parseCli(["--version"], {}, toolsets)).toEqual({ kind: "version" });
    expect(parseCli(["-v"], {}, toolsets)).toEqual({ kind: "version" });
  });

  it("never puts a secret value in a problem", () => {
    const secret = "canary-secret-123";
    const found = problems([], {
      CLICKSEND_USERNAME: "user",
      CLICKSEND_API_KEY: secret,
      CLICKSEND_BEARER_TOKEN: secret,
      CLICKSEND_BASE_URL: `http://example.com/${secret}`,
    });
    expect(found.join(" ")).not.toContain(secret);
  });
});

describe("the built CLI", () => {
  function expectOneLineConfigError(result: Awaited<ReturnType<typeof run>>) {
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^clicksend-mcp: configuration error: .+ See --help\.$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return lines[0] as string;
  }

  it("exits 2 with one line naming the missing credentials", async () => {
    const line = expectOneLineConfigError(await run([]));
    expect(line).toContain("CLICKSEND_USERNAME and CLICKSEND_API_KEY are missing");
  });

  it("names only what is missing", async () => {
    const line = expectOneLineConfigError(await run([], { CLICKSEND_USERNAME: "user" }));
    expect(line).toContain("CLICKSEND_API_KEY is missing");
    expect(line).not.toContain("CLICKSEND_USERNAME");
  });

  it("never echoes a secret from the environment or the command line", async () => {
    const secret = "canary-secret-123";
    const result = await run([`--api-key=${secret}`], {
      CLICKSEND_USERNAME: "user",
      CLICKSEND_API_KEY: secret,
      CLICKSEND_BASE_URL: "not a url",
    });
    const line = expectOneLineConfigError(result);
    expect(line).toContain("CLICKSEND_BASE_URL is not a valid URL");
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it("refuses the built-in issuer at start when its people file is missing", async () => {
    const line = expectOneLineConfigError(
      await run(["--http", "--port", "0", "--oauth", "builtin"], {
        ...CREDS,
        CLICKSEND_MCP_OAUTH_USERS: "no-such-people.json",
      }),
    );
    expect(line).toContain("no-such-people.json (CLICKSEND_MCP_OAUTH_USERS) does not exist");
    expect(line).toContain("oauth-person add");
  });

  it("prints --help and --version on stdout and exits 0", async () => {
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(helpText(toolsets));
    expect(help.stderr).toBe("");
    const version = await run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });
});

describe("CLICKSEND_WEBHOOK_SECRET", () => {
  const SECRET = "0123456789abcdef0123456789abcdef-_.~";
  it("is read over --http, ignored over stdio", () => {
    const env = { ...CREDS, CLICKSEND_WEBHOOK_SECRET: ` ${SECRET} ` };
    expect(config(["--http"], env).http?.webhookSecret).toBe(SECRET);
    expect(config([], env).http).toBeUndefined();
  });

  it("must be 32 URL-safe characters or more; the error names the variable, not the value", () => {
    for (const bad of [
      "short",
      `${"a".repeat(31)}`,
      `${"a".repeat(40)}/x`,
      `${"a".repeat(40)} b`,
    ]) {
      const found = problems(["--http"], { ...CREDS, CLICKSEND_WEBHOOK_SECRET: bad });
      expect(found).toEqual([expect.stringMatching(/^CLICKSEND_WEBHOOK_SECRET must be 32/)]);
      expect(found.join()).not.toContain(bad);
    }
  });
});

describe("OAuth (--oauth / CLICKSEND_MCP_OAUTH_ISSUER)", () => {
  const ISSUER = "https://login.example.com/tenant";
  const oauth = (argv: string[], env: Record<string, string> = {}) =>
    config(["--http", ...argv], { ...CREDS, ...env }).http?.oauth;

  it("is off unless asked for, and takes the issuer from the flag or the variable", () => {
    expect(oauth([])).toBeUndefined();
    expect(oauth(["--oauth", ISSUER])).toEqual({ issuer: ISSUER, allowPrivateClients: false });
    expect(oauth([], { CLICKSEND_MCP_OAUTH_ISSUER: ` ${ISSUER} ` })?.issuer).toBe(ISSUER);
    // The flag wins over the variable.
    expect(
      oauth([`--oauth=${ISSUER}`], { CLICKSEND_MCP_OAUTH_ISSUER: "https://other.example" })?.issuer,
    ).toBe(ISSUER);
  });

  it("needs --http: the flag is refused without it, the variable ignored", () => {
    expect(problems(["--oauth", ISSUER], CREDS)).toEqual(["--oauth needs --http"]);
    expect(config([], { ...CREDS, CLICKSEND_MCP_OAUTH_ISSUER: ISSUER }).http).toBeUndefined();
  });

  it("wants an https issuer, or http on loopback, naming where it came from", () => {
    expect(oauth(["--oauth", "http://127.0.0.1:9000"])?.issuer).toBe("http://127.0.0.1:9000");
    expect(oauth(["--oauth", "http://[::1]:9000/realm"])?.issuer).toBe("http://[::1]:9000/realm");
    expect(problems(["--http", "--oauth", "http://login.example.com"], CREDS)).toEqual([
      "--oauth must use https (plain http only on loopback)",
    ]);
    expect(problems(["--http"], { ...CREDS, CLICKSEND_MCP_OAUTH_ISSUER: "not a url" })).toEqual([
      "CLICKSEND_MCP_OAUTH_ISSUER is not a valid URL",
    ]);
    expect(problems(["--http", "--oauth", `${ISSUER}#x`], CREDS)[0]).toMatch(
      /^--oauth must not contain credentials, a query or a fragment/,
    );
    const secret = "hunter2-secret";
    const found = problems(["--http", "--oauth", `https://u:${secret}@login.example.com`], CREDS);
    expect(found[0]).toMatch(/credentials/);
    expect(found.join()).not.toContain(secret);
  });

  it("needs the public URL off loopback, where OAuth stands in for the static token", () => {
    const off = ["--host", "0.0.0.0", "--oauth", ISSUER];
    expect(problems(["--http", ...off], CREDS)).toEqual([
      "--host 0.0.0.0 is reachable from other machines: with OAuth, set CLICKSEND_MCP_PUBLIC_URL to the URL clients use",
    ]);
    const set = config(["--http", ...off], {
      ...CREDS,
      CLICKSEND_MCP_PUBLIC_URL: "https://Texts.example.com/mcp",
    }).http;
    expect(set?.token).toBeUndefined();
    expect(set?.oauth?.publicUrl).toBe("https://texts.example.com/mcp");
    // Its host name is one the Host and Origin headers may carry.
    expect(set?.allowedHosts).toEqual(["texts.example.com"]);
  });

  it("wants the public URL on https (http only on loopback), without a query", () => {
    for (const [url, problem] of [
      ["http://texts.example.com/mcp", "must use https (plain http only on loopback)"],
      ["https://texts.example.com/mcp?x=1", "must not contain credentials, a query or a fragment"],
      ["texts.example.com/mcp", "is not a valid URL"],
    ] as const) {
      expect(
        problems(["--http", "--oauth", ISSUER], { ...CREDS, CLICKSEND_MCP_PUBLIC_URL: url }),
      ).toEqual([`CLICKSEND_MCP_PUBLIC_URL ${problem}`]);
    }
    expect(
      oauth(["--oauth", ISSUER], {
        CLICKSEND_MCP_PUBLIC_URL: "http://localhost:8787/mcp",
        CLICKSEND_MCP_OAUTH_AUDIENCE: "api://clicksend",
      }),
    ).toEqual({
      issuer: ISSUER,
      publicUrl: "http://localhost:8787/mcp",
      audience: "api://clicksend",
      allowPrivateClients: false,
    });
  });

  it("wants the people file with the built-in issuer, and only there", () => {
    expect(problems(["--http", "--oauth", "builtin"], CREDS)).toEqual([
      "CLICKSEND_MCP_OAUTH_USERS is required with the built-in issuer: the file of people who may sign in",
    ]);
    expect(
      oauth(["--oauth", "builtin"], {
        CLICKSEND_MCP_OAUTH_USERS: "/etc/clicksend-mcp/people.json",
        CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS: "1",
      }),
    ).toEqual({
      issuer: "builtin",
      usersFile: "/etc/clicksend-mcp/people.json",
      allowPrivateClients: true,
    });
    expect(
      problems(["--http", "--oauth", ISSUER], {
        ...CREDS,
        CLICKSEND_MCP_OAUTH_USERS: "people.json",
        CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS: "1",
      }),
    ).toEqual([
      "CLICKSEND_MCP_OAUTH_USERS is for the built-in issuer: an external issuer decides who signs in",
      "CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS is for the built-in issuer only",
    ]);
  });

  it("is in --help, flag and variables", () => {
    const text = helpText(toolsets);
    for (const name of [
      "--oauth ISSUER",
      "CLICKSEND_MCP_OAUTH_ISSUER",
      "CLICKSEND_MCP_PUBLIC_URL",
      "CLICKSEND_MCP_OAUTH_AUDIENCE",
      "CLICKSEND_MCP_OAUTH_USERS",
      "CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS",
    ]) {
      expect(text).toContain(name);
    }
  });
});
