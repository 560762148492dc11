import { SegmentedMessage } from "sms-segments-calculator";

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

/** The parts a text takes on a channel, as a real number is charged: SMS parts, voice credits, 1 MMS. */
export function textParts(kind: "sms" | "mms" | "voice", body: string): number {
  if (kind === "mms") return 1;
  return kind === "voice" ? voiceParts(body).parts : smsSegments(body).parts;
}
