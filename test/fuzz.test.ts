/**
 * Input fuzzing for every tool of the registry: arbitrary JSON for the whole arguments object
 * and for each argument (nested ones too), plus targeted nasties. For every case a well-formed
 * result arrives in time; a local refusal names the field to fix and no HTTP request left the
 * process. Random inputs that happen to be valid are allowed to reach the sandbox.
 */

import type { Client } from "@modelcontextprotocol/client";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";
import { CallToolResultSchema } from "@modelcontextprotocol/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { HOSTILE_TRICKS } from "../sandbox/hostile.js";
import { answerWith } from "../sandbox/replies.js";
import type { ToolDefinition } from "../src/define-tool.js";
import { toolListing } from "../src/server.js";
import { fence, fenceField, shorten } from "../src/untrusted.js";
import { fieldPath } from "../src/validate.js";
import { listContacts } from "../tools/contacts.js";
import { tools } from "../tools/index.js";
import { sendMms } from "../tools/mms.js";
import { getInboundSms } from "../tools/replies.js";
import { sendSms } from "../tools/sms.js";
import { listTemplates } from "../tools/templates.js";
import { sendVoice } from "../tools/voice.js";
import { fenceBreaks, fenceBreaksIn } from "./support/fences.js";
import { type Harness, harness } from "./support/harness.js";
import {
  anyOrder,
  anyQuery,
  badSchedule,
  goodSchedule,
  invisibleOnly,
  nearIdentical,
} from "./support/mistakes.js";
import { isLocalRefusal, textOf } from "./support/results.js";
import { addSms, type Fixture, stateFixture, validArgs } from "./support/tool-args.js";
import { HANG_MS, within } from "./support/wait.js";

/** FUZZ_SEED=<n> replays a failing run; fast-check prints the seed of every failure. */
if (process.env.FUZZ_SEED) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });
const RUNS = 60;
/** A call that takes longer has hung: the bound is for that, not for speed (wait.ts). */
const CALL_MS = HANG_MS;

type Path = Array<string | number>;

const nested = (depth: number, wrap: (inner: unknown) => unknown): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

/** Values a model (or an attacker behind one) may put in any argument. */
const NASTIES: unknown[] = [
  // empty, blank and huge
  "",
  " ",
  "\t\n\r",
  "x".repeat(1024 * 1024),
  "é".repeat(300_000),
  nested(5000, (inner) => [inner]),
  nested(5000, (inner) => ({ a: inner })),
  // numbers in disguise and numbers out of range
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x1F",
  "1_000",
  "12abc",
  -1,
  0,
  -0,
  1.5,
  -2.5,
  1e21,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_VALUE,
  // ids that try to leave their path segment
  "../",
  "..",
  "../account",
  "1/../../account",
  "%2F",
  "1%2F2",
  "..%2F..%2Faccount",
  "1?page=2",
  "1#x",
  "/",
  "\\..\\",
  "5 ",
  // E.164 look-alikes
  "+61 4111",
  "+0000",
  "+",
  "+61411111111 ",
  " +61411111111",
  "++61411111111",
  "+61411111111;+61422222222",
  "+61411111111\n+61422222222",
  "٠٤١١١١١١١١",
  "+٦١٤١١١١١١١١",
  "+61४११११११११",
  "+６１４１１１１１１１１",
  "+61411\u200b111111",
  "+6141111\u200d1111",
  "+1 (405) 555-5555 ext. 9",
  "tel:+61411111111",
  // a time in milliseconds, a body that shows nothing
  1_764_000_000_000,
  "\u200b\u200b",
  "\u3164",
  // mixed scripts, invisible and control characters
  "Hello мир 世界 مرحبا שלום",
  "Ｔｅｓｔ",
  "a\u0301\u0301\u0301",
  "\u202eevil\u202c",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31mred",
  "\ufeff",
  "\ud800",
  "👍🏽👨‍👩‍👧‍👦",
  "<script>alert(1)</script>",
  `\${process.env.CLICKSEND_API_KEY}`,
  "{{7*7}}",
  "' OR 1=1 --",
  // wrong JSON types
  null,
  true,
  false,
  [],
  {},
  [1, 2],
  { a: 1 },
  JSON.parse('{"__proto__": {"list_id": 1}}'),
];

/** Arbitrary strings of every kind, and arbitrary JSON. */
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(...NASTIES),
);
const anyKey = fc.oneof(
  fc.string(),
  fc.constantFrom("__proto__", "constructor", "toString", "", " ", "api_key"),
);

/** Paths of every input field: top-level keys and, for arrays of objects, their item's keys. */
function inputPaths(schema: z.ZodType): Path[] {
  const paths: Path[] = [];
  const unwrap = (s: z.ZodType): z.ZodType => {
    const def = s._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    return s;
  };
  const walk = (s: z.ZodType, prefix: Path, depth: number) => {
    const def = unwrap(s)._zod.def as {
      type: string;
      shape?: Record<string, z.ZodType>;
      element?: z.ZodType;
    };
    if (def.type === "object" && def.shape) {
      for (const [key, child] of Object.entries(def.shape)) {
        paths.push([...prefix, key]);
        if (depth < 2) walk(child, [...prefix, key], depth + 1);
      }
    } else if (def.type === "array" && def.element) {
      walk(def.element, [...prefix, 0], depth);
    }
  };
  walk(schema, [], 0);
  return paths;
}

/** A copy of args with value at path (objects and arrays on the way are created). */
function withValue(args: Record<string, unknown>, path: Path, value: unknown) {
  const copy = structuredClone(args);
  let node = copy as Record<string | number, unknown>;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    node[key] = next && typeof next === "object" ? next : typeof path[i + 1] === "number" ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  return copy;
}

/** A refusal names what to fix: "Invalid arguments for t: field: ..." or "field: ...". */
const FIELD = String.raw`[A-Za-z_]\w*(\[\d+\])?(\.\w+(\[\d+\])?)*`;
const NAMES_A_FIELD = new RegExp(
  String.raw`^(Invalid arguments for \w+: (unknown fields? |\(arguments\): |${FIELD}: )|${FIELD}: )`,
);

let h: Harness;
let fixture: Fixture;
let checked = 0;
let refused = 0;
let schemaInvalid = 0;

beforeAll(async () => {
  h = await harness();
  const user = h.sandbox.state.users[0];
  if (user) user.balance = 1_000_000;
  fixture = stateFixture(h.sandbox.state);
});
afterAll(async () => {
  await h?.close();
  // Both kinds really happened: the fuzzing reached validation and the sandbox.
  console.log(
    `fuzz: ${checked} calls, ${schemaInvalid} invalid by the advertised inputSchema, ${refused} refused locally`,
  );
});

/** The input schema each tool advertises in tools/list, as an independent validity oracle. */
const ajv = new AjvJsonSchemaValidator();
const advertised = new Map(
  tools.map((tool) => [
    tool.name,
    ajv.getValidator<unknown>(toolListing(tool).inputSchema as Record<string, unknown>),
  ]),
);

/**
 * One call: a well-formed result in time; arguments the advertised schema rejects are refused
 * locally; a local refusal names a field (this one, when the case changed one field) and made
 * no request; a validation error is always a local refusal.
 */
async function check(tool: ToolDefinition, args: unknown, field?: string): Promise<void> {
  const before = h.sandbox.requests.length;
  const result = await within(CALL_MS, tool.name, h.call(tool, args));
  checked++;
  expect(CallToolResultSchema.safeParse(result).success).toBe(true);
  const text = textOf(result);
  if (text.startsWith("Invalid arguments")) expect(result.isError).toBe(true);
  const invalid = !advertised.get(tool.name)?.(args ?? {}).valid;
  if (invalid) schemaInvalid++;
  if (!isLocalRefusal(result, text)) {
    expect(text.startsWith("Invalid arguments")).toBe(false);
    expect(invalid, `${tool.name} accepted arguments its inputSchema rejects: ${text}`).toBe(false);
    return;
  }
  refused++;
  expect(h.sandbox.requests.length, `${tool.name} refused but made a request: ${text}`).toBe(
    before,
  );
  expect(text.slice(0, 300)).toMatch(NAMES_A_FIELD);
  if (field && text.startsWith("Invalid arguments")) {
    expect(text.slice(0, 2000), `${tool.name} ${field}`).toContain(field);
  }
}

describe.each(tools.map((tool) => [tool.name, tool] as const))("%s", (_name, tool) => {
  const paths = inputPaths(tool.input);
  const unknown: Path = ["not_a_field"];

  it("has input fields to fuzz, and valid arguments that work", async () => {
    if (Object.keys(tool.input.shape).length > 0) expect(paths.length).toBeGreaterThan(0);
    const before = h.sandbox.requests.length;
    const result = await h.call(tool, validArgs(tool.name, fixture));
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(h.sandbox.requests.length).toBeGreaterThan(before);
  });

  it("survives an arbitrary arguments value", async () => {
    const keys = Object.keys(tool.input.shape);
    const objectOfFields = keys.length
      ? fc.record(Object.fromEntries(keys.map((k) => [k, anyValue])), { requiredKeys: [] })
      : fc.constant({});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.dictionary(anyKey, anyValue), objectOfFields),
        (args) => check(tool, args),
      ),
      { numRuns: RUNS },
    );
  });

  it("survives an arbitrary value in any one argument", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths, unknown), anyValue, (path, value) =>
        check(
          tool,
          withValue(validArgs(tool.name, fixture), path, value),
          path === unknown ? "not_a_field" : fieldPath(path),
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it("survives every targeted nasty in every argument", async () => {
    for (const path of [...paths, unknown]) {
      for (const value of NASTIES) {
        await check(
          tool,
          withValue(validArgs(tool.name, fixture), path, value),
          path === unknown ? "not_a_field" : fieldPath(path),
        );
      }
    }
  });
});

describe("through an MCP server and client", () => {
  let client: Client;

  beforeAll(async () => {
    client = await h.connect();
  });
  afterAll(() => client?.close());

  it("answers any tools/call with a valid result or a JSON-RPC error, and keeps answering", async () => {
    const names = tools.map((t) => t.name);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 4 }, fc.string()),
        fc.oneof(fc.jsonValue(), { arbitrary: fc.dictionary(anyKey, anyValue), weight: 3 }),
        async (name, args) => {
          const before = h.sandbox.requests.length;
          const isObject = typeof args === "object" && args !== null && !Array.isArray(args);
          let result: Awaited<ReturnType<typeof client.callTool>> | undefined;
          let failure: ProtocolError | undefined;
          try {
            result = await client.callTool(
              { name, arguments: args as Record<string, unknown> },
              { timeout: CALL_MS },
            );
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
            failure = error;
          }
          if (!isObject) {
            // The SDK refuses arguments that are not an object before our handler runs (it
            // answers -32603 Internal error with its zod issues, where -32602 would be apt).
            expect(failure?.message).toMatch(/arguments/);
          } else if (!names.includes(name)) {
            expect(failure?.code).toBe(ProtocolErrorCode.InvalidParams);
            expect(failure?.message).toContain("Unknown tool");
          } else {
            expect(failure).toBeUndefined();
            const text = textOf(result as Parameters<typeof textOf>[0]);
            if (result?.isError && text.endsWith("Nothing was sent.")) {
              expect(h.sandbox.requests.length).toBe(before);
            }
            return;
          }
          expect(h.sandbox.requests.length).toBe(before);
        },
      ),
      { numRuns: RUNS * 3 },
    );
    await expect(client.ping()).resolves.toBeDefined();
  });
});

/** Code points that close a fence, look like they do, or hide: from anywhere in their ranges. */
const trickCodePoint = fc
  .oneof(
    fc.constantFrom(0x3c, 0x3e, 0xff1c, 0xff1e, 0xfe64, 0xfe65, 0x2039, 0x203a, 0x2329, 0x232a),
    fc.constantFrom(0x3008, 0x3009, 0x180e, 0x034f, 0x061c, 0x3164, 0xad, 0xfeff, 0x2028),
    fc.integer({ min: 0xe0000, max: 0xe007f }),
    fc.integer({ min: 0xfe00, max: 0xfe0f }),
    fc.integer({ min: 0x200b, max: 0x200f }),
    fc.integer({ min: 0x202a, max: 0x202e }),
    fc.integer({ min: 0x2060, max: 0x206f }),
    fc.integer({ min: 0, max: 0x9f }),
    fc.integer({ min: 0xd800, max: 0xdfff }),
  )
  .map((code) => String.fromCodePoint(code));

/** Third-party text built from closers, look-alikes, invisible code points and anything else. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...HOSTILE_TRICKS.closers, ...HOSTILE_TRICKS.lookalikeClosers),
      fc.constantFrom(...HOSTILE_TRICKS.invisible),
      trickCodePoint,
      fc.string({ unit: "binary" }),
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("untrusted", "/", " ", "\\u003c", "\\u00bb", "…[+1 chars]", "«", "»"),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

/** What a read tool returned, the call having succeeded. */
async function read<T = Record<string, unknown>>(tool: ToolDefinition, args: unknown): Promise<T> {
  const result = await h.call(tool, args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as T;
}
const itemsOf = async (tool: ToolDefinition, args: unknown) =>
  (await read<{ items: Array<Record<string, unknown>> }>(tool, args)).items;

describe("third-party text never breaks a fence", () => {
  it("fence, fenceField and shorten: any text gives a closed fence, nothing hidden, within the cap", () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 0, max: 300 }), (text, max) => {
        const fenced = fence(text, max);
        for (const out of [fenced, fenceField(text, max)]) {
          expect(fenceBreaks(String(out ?? ""))).toEqual([]);
        }
        const inner = /^«([^«»]*)»/.exec(fenced ?? "«»");
        expect(inner?.[1]?.length ?? 0).toBeLessThanOrEqual(max);
        expect(fenceBreaks(shorten(fenced ?? "", Math.floor(max / 2)))).toEqual([]);
      }),
      { numRuns: RUNS * 20 },
    );
  });

  it("read tools: hostile contacts, templates and replies come out fenced", async () => {
    const state = h.sandbox.state;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (a, b) => {
        const list = state.createList(a);
        state.createContact(list.list_id, {
          phone_number: b,
          first_name: a,
          email: b,
          custom_1: `${a}${b}`,
        });
        const template_id = state.nextId("template");
        state.templates.push({ template_id, template_name: b, body: a });
        // A text to a number (b) that answers with hostile text, under a hostile reference.
        // Never empty: a reply always has some text (both generated strings may be "").
        answerWith(state, b, `${b}${a}!`);
        const sent = addSms(state, { to: b, body: "Hello", custom_string: a });
        // Only this run's items: what earlier runs left in the sandbox would muddle shrinking.
        const shown = [
          ...(await itemsOf(listContacts, { list_id: list.list_id })),
          ...(await itemsOf(listTemplates, { limit: 100, order_by: "template_id:desc" })).filter(
            (t) => t.template_id === template_id,
          ),
          await read(getInboundSms, { original_message_id: sent.message_id }),
        ];
        expect(shown).toHaveLength(3);
        expect(fenceBreaksIn(shown)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Mistakes an agent makes with good intentions, generated: each is refused naming its field
 * before any request, or (for a search) reaches ClickSend only in the form ClickSend reads.
 */
describe("mistakes an agent makes", () => {
  const to = "+61411111111";
  const contactFields = /^(phone_number|email|first_name|last_name|custom_[1-4])$/;

  /** A call refused locally: isError, the fragments in its text, and no request. */
  async function refusedLocally(tool: ToolDefinition, args: unknown, ...fragments: string[]) {
    const before = h.sandbox.requests.length;
    const result = await within(CALL_MS, tool.name, h.call(tool, args));
    const text = textOf(result);
    expect(isLocalRefusal(result, text), text).toBe(true);
    for (const fragment of fragments) expect(text).toContain(fragment);
    expect(h.sandbox.requests.length).toBe(before);
  }

  it("refuses schedules in milliseconds, in the past, too far ahead, before 1970 or without a zone", async () => {
    await fc.assert(
      fc.asyncProperty(badSchedule, async ({ value, why }) =>
        refusedLocally(
          sendSms,
          { messages: [{ to, body: "Reminder", schedule: value }] },
          "messages[0].schedule: ",
          why,
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it("sends schedules within the horizon as Unix seconds", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(goodSchedule, async (schedule) => {
        const result = await h.call(sendSms, {
          messages: [{ to, body: `Later ${++n}`, schedule }],
        });
        expect(result.isError, textOf(result)).toBeFalsy();
        const sent = h.sandbox.requests.at(-1)?.body as { messages: Array<{ schedule: number }> };
        expect(Number.isInteger(sent.messages[0]?.schedule)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses bodies of only invisible characters on every channel", async () => {
    await fc.assert(
      fc.asyncProperty(invisibleOnly, async (body) => {
        const empty = "messages[0].body: must not be empty";
        await refusedLocally(sendSms, { messages: [{ to, body }] }, empty);
        await refusedLocally(sendVoice, { messages: [{ to, body, voice: "male" }] }, empty);
        await refusedLocally(
          sendMms,
          { media_file: "https://example.com/a.jpg", messages: [{ to, subject: "S", body }] },
          empty,
        );
      }),
      { numRuns: RUNS },
    );
  });

  describe("with the duplicate window on", () => {
    let windowed: Harness;
    beforeAll(async () => {
      windowed = await harness({ sending: { duplicateWindowS: 600 } });
    });
    afterAll(() => windowed?.close());

    it("refuses a near-identical repeat, in a later call and within one call", async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(nearIdentical, async ({ base, variant }) => {
          // A recipient per run, so runs do not see each other's sends.
          const recipient = `+614000${String(++n).padStart(5, "0")}`;
          const posted = () => windowed.sandbox.requests.filter((r) => r.path === "sms/send");
          const before = posted().length;
          const first = await windowed.call(sendSms, { messages: [{ to: recipient, body: base }] });
          expect(first.isError, textOf(first)).toBeFalsy();
          const repeat = await windowed.call(sendSms, {
            messages: [{ to: recipient, body: variant }],
          });
          expect(textOf(repeat)).toContain("The same text");
          const both = await windowed.call(sendSms, {
            messages: [
              { to, body: base },
              { to, body: variant },
            ],
          });
          expect(textOf(both)).toContain("messages[1]: repeats messages[0]");
          expect(posted().length).toBe(before + 1);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it("sends q only as known field:value terms, or refuses it", async () => {
    const list_id = fixture.listId();
    await fc.assert(
      fc.asyncProperty(anyQuery, async (q) => {
        const before = h.sandbox.requests.length;
        const result = await h.call(listContacts, { list_id, q });
        const text = textOf(result);
        if (isLocalRefusal(result, text)) {
          expect(text).toContain("q: ");
          expect(h.sandbox.requests.length).toBe(before);
          return;
        }
        const sent = String(h.sandbox.requests.at(-1)?.query.q);
        for (const term of sent.split(",")) {
          const [field, ...value] = term.split(":");
          expect(field, sent).toMatch(contactFields);
          expect(value.join(":").trim(), sent).not.toBe("");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("sends order_by only as a known field and a direction, or refuses it", async () => {
    const list_id = fixture.listId();
    await fc.assert(
      fc.asyncProperty(anyOrder, async (order_by) => {
        const result = await h.call(listContacts, { list_id, order_by });
        const text = textOf(result);
        if (isLocalRefusal(result, text)) {
          expect(text).toContain("order_by: ");
        } else {
          expect(String(h.sandbox.requests.at(-1)?.query.order_by)).toMatch(
            /^(contact_id|first_name|last_name|phone_number|email|date_updated):(asc|desc)$/,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });
});
