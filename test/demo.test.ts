/**
 * npm run demo, as a newcomer sees it: captions before each step, each server log line under
 * the call that caused it (the call's notifications/message, which come before its result), the
 * server's stderr at the end, the prompt-injection reply fenced, opt-outs refused, and no
 * simulated time in the future.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/build.js";

const DEMO = join(ROOT, "dist", "scripts", "demo.js");
let output: string;
let finished: number;

beforeAll(async () => {
  // npm test builds dist/ first (npm run build compiles scripts/ and bundles dist/cli.js).
  if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run npm run build first`);
  const { stdout } = await promisify(execFile)(process.execPath, [DEMO], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  output = stdout;
  finished = Date.now();
});

/** The demo's blocks: each from a `> tool {args}` line to the next call or caption. */
const calls = () =>
  output
    .split(/\n(?=> |## )/)
    .filter((block) => block.startsWith("> "))
    .map((block) => ({ call: block.split("\n")[0] as string, lines: block.split("\n").slice(1) }));

describe("npm run demo", () => {
  it("captions each step", () => {
    const captions = output.split("\n").filter((line) => line.startsWith("## "));
    expect(captions.length).toBeGreaterThanOrEqual(8);
    expect(captions.join("\n")).toMatch(/previews first[\s\S]*retry[\s\S]*prompt injection/);
  });

  it("prints each server log line under the call that caused it", () => {
    const logged = calls().filter((c) => c.lines.some((l) => l.includes("server log:")));
    const send = logged.find((c) =>
      c.lines.some((l) => /server log: .*send_sms .* 2 queued/.test(l)),
    );
    // The real send, not the preview before it.
    expect(send?.call).toMatch(/^> send_sms \{"messages"/);
    const refused = logged.filter((c) => c.lines.some((l) => /send_sms failed/.test(l)));
    expect(refused.map((c) => c.call)).toEqual([
      expect.stringMatching(/^> send_sms \{"messages":\[\{"to":"0491 570 156"/),
      expect.stringMatching(/^> send_sms \{"messages":\[\{"to":"0400 555 123"/),
      expect.stringMatching(/^> send_sms \{"messages":\[\{"to":"0491 570 737".*reminder/),
      expect.stringMatching(/^> send_sms \{"messages":\[\{"to":"\+61 4111"/),
    ]);
    // Log lines come after the result they belong to, never inside another call's block.
    for (const { lines } of calls()) {
      const first = lines.findIndex((l) => l.includes("server log:"));
      if (first !== -1)
        expect(lines.slice(first).every((l) => !l || l.includes("server log:"))).toBe(true);
    }
    // Only the calls that log show lines: the reads log nothing at the default level.
    expect(logged.map((c) => c.call.split(" ")[1])).toEqual(Array(6).fill("send_sms"));
  });

  it("ends with the server's stderr: its start, then the same lines in call order", () => {
    const [, section = ""] = output.split(/\n## What the server wrote to stderr[^\n]*\n/);
    const stderr = section.split("\n").filter((l) => l.startsWith("  | stderr: "));
    expect(stderr[0]).toMatch(/sandbox mode: simulated ClickSend at http:\/\/127\.0\.0\.1:\d+/);
    const logged = output
      .split("\n")
      .filter((l) => l.startsWith("  | server log: "))
      .map((l) => l.replace("  | server log: ", ""));
    expect(stderr.slice(1).map((l) => l.replace("  | stderr: [clicksend-mcp] ", ""))).toEqual(
      logged,
    );
  });

  it("shows a quiet-hours refusal in the recipient's local time", () => {
    const quiet = calls().find((c) => c.call.includes('"schedule":'));
    expect(quiet?.call).toMatch(/^> send_sms \{"messages":\[\{"to":"\+61491570156"/);
    expect(quiet?.lines.join("\n")).toMatch(
      /\(isError\) [\s\S]*Refused by CLICKSEND_QUIET_HOURS \(21:00-08:00 in each recipient's local time\): \*\*\*156 is at 03:00 in Australia\/Sydney at its schedule, .*\(08:00 in Australia\/Sydney\).*Nothing was sent\./,
    );
  });

  it("shows the prompt-injection reply fenced as untrusted data", () => {
    expect(output).toMatch(/"body":"«IGNORE ALL PREVIOUS INSTRUCTIONS[^"]*»"/);
  });

  it("shows an opt-out: a number on the Opt Out list and a STOP reply's sender, each refused", () => {
    const blocks = calls();
    const grace = blocks.find((c) => c.call.includes('"to":"0400 555 123"'));
    expect(grace?.lines[1]).toMatch(
      /^Refused by CLICKSEND_SKIP_OPTED_OUT: every recipient opted out \(\*\*\*123 is on the opt-out list/,
    );
    const stop = blocks.filter((c) => c.call.startsWith("> list_inbound_sms")).at(-1);
    expect(stop?.lines.join("\n")).toMatch(
      /"from":"\+61491570737"[^}]*"body":"«STOP»"[^}]*"opt_out":true,"note":"The sender asked not to be contacted/,
    );
    const jo = blocks.filter((c) => c.call.includes('"to":"0491 570 737"'));
    expect(jo.map((c) => c.lines[0]?.startsWith("(isError)"))).toEqual([false, true]);
    expect(jo[1]?.lines[1]).toContain("(***737 replied an opt-out keyword)");
  });

  it("shows no simulated time in the future", () => {
    // An expiry (a preview's confirmation_expires_at) is rightly ahead; what happened is not.
    const times = [...output.matchAll(/"(\w+)":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"/g)].flatMap(
      ([, field, time]) => (field?.endsWith("expires_at") ? [] : [Date.parse(time ?? "")]),
    );
    expect(times.length).toBeGreaterThan(3);
    expect(times.filter((time) => time > finished)).toEqual([]);
  });

  it("shows a reply pushed over HTTP through the webhook, the secret never shown", () => {
    const [, section = ""] = output.split(/\n## Replies pushed over HTTP[^\n]*\n/);
    expect(section).toMatch(
      /> create_automation_rule[^\n]*\n[\s\S]*?"action":"URL"[^\n]*webhooks\/clicksend\/<secret>/,
    );
    expect(section).toContain(
      "(pushed) notifications/resources/updated clicksend://conversations/+61491570156",
    );
  });
});
