import { SegmentedMessage } from "sms-segments-calculator";
import type { Measure } from "../src/sending/channel.js";

export interface SmsSegments {
  encoding: "GSM-7" | "UCS-2";
  parts: number;
  /** The characters that force UCS-2 (at most 10 shown). */
  unicode_chars?: string[];
}

/** Encoding and part count of an SMS body (160/153 GSM-7, 70/67 UCS-2; extension characters count twice). */
export function smsSegments(body: string): SmsSegments {
  const message = new SegmentedMessage(body);
  const encoding = message.encodingName === "GSM-7" ? "GSM-7" : "UCS-2";
  const unicode = [...new Set(message.getNonGsmCharacters())].slice(0, 10);
  return {
    encoding,
    parts: message.segmentsCount,
    ...(unicode.length ? { unicode_chars: unicode } : {}),
  };
}

/** Voice credits: 300 GSM / 150 Unicode characters each, at most 4 (ClickSend truncates beyond). */
export function voiceParts(body: string): { encoding: SmsSegments["encoding"]; parts: number } {
  const { encoding } = smsSegments(body);
  const per = encoding === "GSM-7" ? 300 : 150;
  return { encoding, parts: Math.max(1, Math.ceil([...body].length / per)) };
}

export const VOICE_MAX_PARTS = 4;

/** MMS body limits; ClickSend truncates beyond them. */
export const MMS_MAX_CHARS = { "GSM-7": 1500, "UCS-2": 500 } as const;

/*
 * Each channel's Measure (src/sending/channel.ts): a body's encoding and parts as it is charged,
 * and what ClickSend would cut. Loaded with the segment calculator, on a channel's first preview.
 */

/** SMS parts, cut beyond the account's part limit. */
export const measureSms: Measure = (body, partLimit) => {
  const segments = smsSegments(body);
  return segments.parts > partLimit
    ? {
        ...segments,
        problem: `is ${segments.parts} parts; the account sends at most ${partLimit} and cuts the rest.`,
      }
    : segments;
};

/** One MMS, whatever its length; ClickSend cuts a body over its character limit. */
export const measureMms: Measure = (body) => {
  const { encoding, unicode_chars } = smsSegments(body);
  const max = MMS_MAX_CHARS[encoding];
  return {
    encoding,
    parts: 1,
    ...(unicode_chars ? { unicode_chars } : {}),
    ...([...body].length > max
      ? { problem: `is over ${max} ${encoding} characters; ClickSend cuts the rest.` }
      : {}),
  };
};

/** Voice credits; ClickSend speaks at most VOICE_MAX_PARTS of them. */
export const measureVoice: Measure = (body) => {
  const { encoding, parts } = voiceParts(body);
  return parts > VOICE_MAX_PARTS
    ? {
        encoding,
        parts,
        problem: `needs ${parts} credits; ClickSend speaks at most ${VOICE_MAX_PARTS} and cuts the rest.`,
      }
    : { encoding, parts };
};
