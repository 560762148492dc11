import { describe, expect, it } from "vitest";
import * as z from "zod";
import { defineTool, prebuildInputs } from "../src/tool/define-tool.js";
import { READ } from "../tools/annotations.js";

describe("defineTool", () => {
  it("builds an input given as a function on first use, once", () => {
    let builds = 0;
    const tool = defineTool({
      name: "get_thing",
      toolset: "things",
      title: "Get thing",
      description: "Get a thing.",
      input: () => {
        builds++;
        return z.strictObject({ id: z.number() });
      },
      annotations: READ,
      output: z.object({ id: z.number() }),
      run: async ({ id }) => ({ id }),
    });
    expect(builds).toBe(0);
    expect(tool.input.safeParse({ id: 1 }).success).toBe(true);
    expect(tool.input.safeParse({ id: "1" }).success).toBe(false);
    expect(Object.keys(tool)).toContain("input");
    expect(builds).toBe(1);
  });

  it("prebuildInputs builds the inputs not built yet", () => {
    let builds = 0;
    defineTool({
      name: "list_things",
      toolset: "things",
      title: "List things",
      description: "List things.",
      input: () => {
        builds++;
        return z.strictObject({});
      },
      annotations: READ,
      output: z.object({}),
      run: async () => ({}),
    });
    expect(builds).toBe(0);
    prebuildInputs();
    prebuildInputs();
    expect(builds).toBe(1);
  });

  it("keeps an input given as a schema as it is", () => {
    const input = z.strictObject({});
    const tool = defineTool({
      name: "get_other",
      toolset: "things",
      title: "Get other",
      description: "Get another.",
      input,
      annotations: READ,
      output: z.object({}),
      run: async () => ({}),
    });
    expect(tool.input).toBe(input);
  });
});
