import { maskPhoneNumbers } from "../logger.js";
import { type Person, personLabel } from "../oauth/person.js";
import { hiddenCount, showHidden } from "../tool/untrusted.js";
import { isoMs } from "../values.js";
import type { Channel, OutgoingMessage } from "./channel.js";
import type { preview } from "./preview.js";

/** Numbers named in the question; the rest are counted. */
const NUMBERS_SHOWN = 3;
/**
 * Most characters of one text as shown (hidden characters as escapes). A text the tools take is
 * shorter than this unless it hides many different invisible characters.
 */
const SHOWN_CHARS = 4000;
/** Every line of a text starts with this, so a text cannot pass for a line of the question. */
const BAR = "│ ";

type Quote = Awaited<ReturnType<typeof preview>>;

/**
 * The question the person at the host answers before a send: recipients (numbers masked, as in
 * logs), every distinct text in full, each line behind a bar with invisible, bidi and control
 * characters shown as escapes, then the parts and the price, and over OAuth whom it is asked for
 * (their name and sub shown the same way, on one line). Nothing in a text or a name can look
 * like the question's own lines.
 */
export function questionFor(
  channel: Channel,
  body: { messages: OutgoingMessage[]; schedule?: unknown },
  quoted: Quote,
  person?: Person,
): string {
  const { messages } = body;
  const numbers = messages.flatMap((m) => (m.to ? [maskPhoneNumbers(m.to)] : []));
  const lists = messages.flatMap((m) => (m.list_id !== undefined ? [`list ${m.list_id}`] : []));
  const shown = [...numbers.slice(0, NUMBERS_SHOWN), ...lists];
  const more = numbers.length > NUMBERS_SHOWN ? ` and ${numbers.length - NUMBERS_SHOWN} more` : "";
  const texts = [...new Set(messages.map((m) => m.body))];
  const parts = quoted.messages.reduce((sum, m) => sum + m.parts, 0);
  const what = quoted.recipients === 1 ? channel.words.one : channel.words.many;
  const times = [
    ...new Set(
      [body.schedule, ...messages.map((m) => m.schedule)].filter((t) => typeof t === "number"),
    ),
  ] as number[];
  const when = times.length
    ? [`Scheduled for ${times.map((t) => isoMs(t * 1000)).join(", ")}.`]
    : [];
  return [
    `Send ${quoted.recipients} ${what} to ${shown.join(", ")}${more}?`,
    ...texts.flatMap((text, i) =>
      shownText(text, texts.length > 1 ? `Text ${i + 1} of ${texts.length}` : "Text"),
    ),
    ...when,
    `${parts} part${parts === 1 ? "" : "s"}, ${quoted.total_price} ${quoted.currency ?? ""}`.trim(),
    ...(person ? [`Asked for ${personLabel(person)}.`] : []),
    "Nothing is sent unless you accept.",
  ].join("\n");
}

/** One text: a line that says what follows, then the text line by line behind the bar. */
function shownText(text: string, label: string): string[] {
  const chars = [...text].length;
  const hidden = hiddenCount(text);
  const head = `${label} (${chars} character${chars === 1 ? "" : "s"}${
    hidden ? `, ${hidden} of them invisible or control characters, shown as \\u escapes` : ""
  }):`;
  const lines: string[] = [];
  let room = SHOWN_CHARS;
  let left = 0;
  for (const line of text.split("\n")) {
    const visible = showHidden(line);
    if (room <= 0) {
      left += [...line].length + 1;
      continue;
    }
    lines.push(`${BAR}${visible.slice(0, room)}`);
    if (visible.length > room) left += visible.length - room;
    room -= visible.length;
  }
  const cut = left
    ? [
        `(${left} more characters of escapes not shown: the question would be too long for the host's form. Preview the send to read it in full.)`,
      ]
    : [];
  return [head, ...lines, ...cut];
}
