/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against the
 * built server over Streamable HTTP, once per requirement set: 2025-11-25 and 2026-07-28. Scenarios that need the reference
 * server's fixture tools, prompts and resources are expected to fail, each listed with its
 * reason in conformance-baseline.json; the baseline must stay true in both directions.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT } from "./support/build.js";
import { type HttpServer, startHttpServer } from "./support/http.js";

const CONFORMANCE = join(
  ROOT,
  "node_modules",
  "@modelcontextprotocol",
  "conformance",
  "dist",
  "index.js",
);
/** The suite's requirement sets, each with the scenarios that must pass whatever the baseline says. */
const REQUIREMENTS: Record<string, string[]> = {
  "2025-11-25": [
    "server-initialize",
    "ping",
    "tools-list",
    "logging-set-level",
    "dns-rebinding-protection",
  ],
  "2026-07-28": [
    "tools-list",
    "resources-list",
    "sep-2164-resource-not-found",
    "dns-rebinding-protection",
    "http-header-validation",
    "input-required-result-unsupported-methods",
    "input-required-result-validate-input",
  ],
};

const baselines: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(new URL("./conformance-baseline.json", import.meta.url), "utf8"),
);

/** Node 20 has no fs.globSync, which the suite imports: this preload supplies it (tests only). */
const GLOB_PRELOAD = join(ROOT, "test", "support", "fs-glob", "register.mjs");

/**
 * Scenario name -> checks that did not pass ("id: STATUS message"), read from the suite's
 * results folders. Like the suite's own baseline check, a WARNING counts as not passing.
 */
function readResults(dir: string): Map<string, string[]> {
  const results = new Map<string, string[]>();
  for (const entry of readdirSync(dir)) {
    // server-<scenario>-<ISO timestamp>
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    if (!scenario) continue;
    const checks: Array<{ id: string; status: string; errorMessage?: string }> = JSON.parse(
      readFileSync(join(dir, entry, "checks.json"), "utf8"),
    );
    results.set(
      scenario,
      checks
        .filter((check) => check.status === "FAILURE" || check.status === "WARNING")
        .map((check) => `${check.id}: ${check.status} ${check.errorMessage ?? ""}`),
    );
  }
  return results;
}

describe.each(Object.entries(REQUIREMENTS))(
  "MCP conformance suite, requirements of %s, over Streamable HTTP",
  (revision, mustPass) => {
    const baseline = baselines[revision] ?? {};
    let server: HttpServer;
    let work: string;
    let results: Map<string, string[]>;
    let run: { code: number; output: string };

    beforeAll(async () => {
      server = await startHttpServer();
      work = mkdtempSync(join(tmpdir(), "clicksend-conformance-"));
      // The suite's own baseline check too: exit 1 on a regression or a stale entry.
      const expected = join(work, "expected-failures.yml");
      writeFileSync(
        expected,
        `server:\n${Object.keys(baseline)
          .map((s) => `  - ${s}\n`)
          .join("")}`,
      );
      const out = join(work, "results");
      const args = ["--import", pathToFileURL(GLOB_PRELOAD).href, CONFORMANCE, "server"];
      args.push("--url", server.url, "--requirements", revision, "-o", out);
      args.push("--expected-failures", expected);
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
          cwd: work,
          env: cleanEnv(),
          timeout: 300_000,
          maxBuffer: 10 * 1024 * 1024,
        });
        run = { code: 0, output: stdout + stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        run = { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
      }
      results = readResults(out);
    }, 360_000);

    afterAll(async () => {
      await server?.stop("SIGKILL");
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("ran the requirement set, including every baselined scenario", () => {
      expect(results.size, run.output.slice(-2000)).toBeGreaterThanOrEqual(25);
      const missing = Object.keys(baseline).filter((scenario) => !results.has(scenario));
      expect(missing, "baselined scenarios the suite no longer runs").toEqual([]);
    });

    it(`passes ${mustPass.join(", ")}`, () => {
      for (const scenario of mustPass) {
        expect(baseline[scenario], `${scenario} must not be baselined`).toBeUndefined();
        expect(results.get(scenario), scenario).toEqual([]);
      }
    });

    it("fails exactly the baselined scenarios", () => {
      const unexpectedFailures = [...results]
        .filter(([scenario, failures]) => failures.length > 0 && !(scenario in baseline))
        .map(([scenario, failures]) => `${scenario}: ${failures.join("; ")}`);
      expect(unexpectedFailures, "failing scenarios outside the baseline").toEqual([]);
      const unexpectedPasses = [...results]
        .filter(([scenario, failures]) => failures.length === 0 && scenario in baseline)
        .map(([scenario]) => scenario);
      expect(unexpectedPasses, "baselined scenarios that now pass: remove them").toEqual([]);
      expect(run.code, run.output.slice(-3000)).toBe(0);
    });

    it("gives a one-line reason for every baselined scenario", () => {
      for (const [scenario, reason] of Object.entries(baseline)) {
        expect(reason.trim(), scenario).not.toBe("");
        expect(reason, scenario).not.toContain("\n");
      }
    });
  },
);
