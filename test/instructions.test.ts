/**
 * The server's instructions name only what the server serves: every tool name they mention is
 * listed, every toolset they leave out is one the operator can add with the --toolsets value they
 * suggest, and the rule for sends comes only with a send tool.
 */
import { describe, expect, it } from "vitest";
import { parseCli } from "../src/config.js";
import { selectTools, servedToolsets } from "../src/protocol/selection.js";
import { instructions, tools, toolsets } from "../tools/index.js";
import { abilities } from "../tools/instructions.js";

const SANDBOX = { CLICKSEND_SANDBOX: "1" };

/** What a server started with these arguments serves, and its instructions. */
function started(argv: string[]) {
  const action = parseCli(argv, SANDBOX, toolsets);
  if (action.kind !== "serve") throw new Error(`not a start: ${argv.join(" ")}`);
  const served = selectTools(tools, {
    readOnly: action.config.readOnly,
    toolsets: servedToolsets(action.config.toolsets, toolsets),
  });
  return { served, text: instructions(served) };
}

/** The snake_case tool names a text mentions. */
const toolNames = (text: string) =>
  [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)]
    .map((m) => m[0])
    .filter((word) => tools.some((tool) => tool.name === word));

describe("the server's instructions", () => {
  it("say what every toolset does, and what its reads do", () => {
    expect(Object.keys(abilities).sort()).toEqual(toolsets.map((set) => set.name).sort());
  });

  it.each([
    [[]],
    [["--read-only"]],
    [["--toolsets", "all"]],
    [["--toolsets", "default,mms"]],
    [["--toolsets", "contacts,lists"]],
    [["--toolsets", "voice", "--read-only"]],
  ])("name only tools that %j serves", (argv) => {
    const { served, text } = started(argv);
    const names = served.map((tool) => tool.name);
    for (const name of toolNames(text)) expect(names, name).toContain(name);
  });

  it("by default, name no MMS, voice, template or email tool and say how to add them", () => {
    const { text } = started([]);
    expect(text).not.toMatch(/preview_mms|preview_voice|send_mms|send_voice/);
    expect(text).toContain("preview_sms");
    expect(text).toMatch(/Not served here: .*MMS.*voice calls/);
    const example = /e\.g\. (--toolsets \S+)\)/.exec(text)?.[1] ?? "";
    expect(example).toMatch(/^--toolsets default,\w+$/);
    // The suggested value parses and serves more than the default.
    const more = started(example.split(" "));
    expect(more.served.length).toBeGreaterThan(started([]).served.length);
  });

  it("with every toolset, leave nothing out and name every preview", () => {
    const { text } = started(["--toolsets", "all"]);
    expect(text).not.toContain("Not served here");
    for (const preview of ["preview_sms", "preview_mms", "preview_voice"]) {
      expect(text).toContain(preview);
    }
  });

  it("read-only, give no rule for sends and say nothing changes", () => {
    const { text } = started(["--read-only"]);
    expect(text).not.toMatch(/send with the preview|preview_/);
    expect(text).toContain("Read-only: nothing here sends or changes anything.");
    expect(text).not.toContain("send SMS");
  });

  it("for a few toolsets, suggest a --toolsets value that keeps them", () => {
    const { text } = started(["--toolsets", "contacts,lists"]);
    expect(text).toContain("--toolsets lists,contacts,account");
    expect(text).not.toContain("Sends reach real people");
  });
});
