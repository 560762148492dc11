/**
 * fast-check generators for the mistakes an agent makes with good intentions: schedules in
 * milliseconds, in the past or too far ahead; bodies that show nothing; repeats that differ only
 * in what nobody sees; bare or misspelt searches. Used by test/fuzz.test.ts.
 */
import fc from "fast-check";

const nowS = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

/** Z-ISO 8601 without milliseconds. */
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** A schedule that must be refused, with a fragment of the reason. */
export const badSchedule: fc.Arbitrary<{ value: number | string; why: string }> = fc.oneof(
  fc.integer({ min: 1e11, max: 8.64e15 }).map((value) => ({ value, why: "milliseconds" })),
  fc.integer({ min: 0, max: 1_600_000_000 }).map((value) => ({ value, why: "in the past" })),
  fc.integer({ min: 121 * DAY, max: 9e10 }).map((ahead) => ({
    value: nowS() + ahead,
    why: "days ahead",
  })),
  fc.integer({ min: -62_167_219_200, max: -1 }).map((seconds) => ({
    value: iso(seconds),
    why: "before 1970",
  })),
  fc.integer({ min: 0, max: 4_000_000_000 }).map((seconds) => ({
    value: iso(seconds).slice(0, 19),
    why: "has no time zone",
  })),
);

/** A schedule within ClickSend's horizon, as Unix seconds or Z-ISO. */
export const goodSchedule: fc.Arbitrary<number | string> = fc
  .tuple(fc.integer({ min: 120, max: 110 * DAY }), fc.boolean())
  .map(([ahead, asIso]) => (asIso ? iso(nowS() + ahead) : nowS() + ahead));

/** Characters that show nothing, whitespace among them. */
const INVISIBLE = [
  " ",
  "\n",
  "\t",
  "\u00a0",
  "\u00ad",
  "\u034f",
  "\u115f",
  "\u180e",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u202e",
  "\u2060",
  "\u2066",
  "\u2800",
  "\u3000",
  "\u3164",
  "\ufe0f",
  "\ufeff",
  "\u{e0041}",
];

/** A body of only invisible characters. */
export const invisibleOnly: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...INVISIBLE), { minLength: 1, maxLength: 20 })
  .map((chars) => chars.join(""));

/** Changes nobody sees, or that change nothing but case. */
const PERTURBATIONS: Array<(text: string) => string> = [
  (t) => `${t} `,
  (t) => `${t}\n`,
  (t) => `\t${t}`,
  (t) => t.replace(" ", " \u200b"),
  (t) => `${t.slice(0, 1)}\u200d${t.slice(1)}`,
  (t) => t.replaceAll(" ", "\u00a0"),
  (t) => t.replaceAll(" ", "  "),
  (t) => t.toUpperCase(),
  (t) => t.toLowerCase(),
  (t) => t.normalize("NFD"),
  (t) => `\ufeff${t}`,
];

/** A text and a near-identical copy of it (different code points, the same message). */
export const nearIdentical: fc.Arbitrary<{ base: string; variant: string }> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9éüñ][A-Za-z0-9éüñ ,.!?]{0,40}[A-Za-z0-9éüñ.!?]$/),
    fc.array(fc.constantFrom(...PERTURBATIONS), { minLength: 1, maxLength: 3 }),
  )
  .map(([text, changes]) => {
    const base = `Hello ${text}`;
    const variant = changes.reduce((t, change) => change(t), base);
    return { base, variant: variant === base ? `${base} ` : variant };
  });

/** What a model may put in q: bare numbers and emails, field:value terms, garbage. */
export const anyQuery: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\+?[0-9 ()-]{1,16}$/),
  fc.emailAddress(),
  fc
    .array(
      fc.tuple(
        fc.constantFrom("phone_number", "email", "first_name", "nickname", "Last_Name", ""),
        fc.string({ maxLength: 12 }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((terms) => terms.map(([field, value]) => `${field}:${value}`).join(",")),
);

/** What a model may put in order_by. */
export const anyOrder: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc
    .tuple(
      fc.constantFrom("first_name", "FIRST_NAME", "date", "date_added", "nickname", " email "),
      fc.constantFrom("", ":asc", ":DESC", ":down", ": desc"),
    )
    .map(([field, direction]) => `${field}${direction}`),
);
