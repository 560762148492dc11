/**
 * The sandbox's model of where a number goes and what a message costs (clicksend-api.md §10).
 * Deliberately independent of any client-side estimate, so tests compare two implementations.
 */

export interface Destination {
  country: string;
  carrier: string;
  /** AUD per SMS part and per voice credit. */
  smsRate: number;
  voiceRate: number;
}

type Row = [prefix: string, minDigits: number, maxDigits: number, ...Parameters<typeof place>];
const place = (country: string, carrier: string, smsRate: number, voiceRate: number) => ({
  country,
  carrier,
  smsRate,
  voiceRate,
});

/** Calling code, national number length, country, carrier, AUD per SMS part and voice credit. */
const DESTINATIONS = (
  [
    ["+61", 9, 9, "AU", "Telstra", 0.0792, 0.07],
    ["+64", 8, 10, "NZ", "Spark", 0.115, 0.17],
    ["+1", 10, 10, "US", "AT&T", 0.0563, 0.05],
    ["+44", 10, 10, "GB", "EE", 0.0616, 0.09],
    ["+86", 11, 11, "CN", "China Mobile", 0.0651, 0.17],
    ["+91", 10, 10, "IN", "BSNL MOBILE", 0.1446, 0.17],
    ["+49", 10, 11, "DE", "Telekom", 0.1512, 0.17],
    ["+33", 9, 9, "FR", "Orange", 0.1146, 0.17],
    // Not enabled for the sandbox account, so COUNTRY_NOT_ENABLED can be tried.
    ["+380", 9, 9, "UA", "Vodafone", 0.1793, 0.3],
    ["+55", 10, 11, "BR", "Vivo", 0.0884, 0.2],
  ] satisfies Row[]
)
  .map(([prefix, min, max, ...rest]) => ({ prefix, min, max, destination: place(...rest) }))
  // Longest calling code first, should codes ever share a prefix.
  .sort((a, b) => b.prefix.length - a.prefix.length);

/**
 * The destination of an E.164 number, or undefined when it is not a valid number. A calling code
 * the sandbox does not model gets country "", which no account has enabled.
 */
export function destinationOf(to: string): Destination | undefined {
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return undefined;
  const match = DESTINATIONS.find((d) => to.startsWith(d.prefix));
  if (!match) return place("", "", 0, 0);
  const digits = to.length - match.prefix.length;
  return digits >= match.min && digits <= match.max ? match.destination : undefined;
}

/** The calling code of a country the sandbox models ("+61" for AU); Canada shares +1. */
const callingCode = (country: string) =>
  country === "CA" ? "+1" : DESTINATIONS.find((d) => d.destination.country === country)?.prefix;

/**
 * A number as ClickSend stores and sends it: punctuation dropped, "00" read as "+", and a national
 * number ("0411 111 111" with country AU) made E.164. Anything else is kept as given.
 */
export function toE164(raw: string, country?: string | null): string {
  const number = raw.replace(/[\s().-]/g, "");
  if (number.startsWith("+")) return number;
  if (number.startsWith("00")) return `+${number.slice(2)}`;
  const code = country ? callingCode(country.toUpperCase()) : undefined;
  if (!code || !/^\d+$/.test(number)) return number;
  // A North American number may carry its country code without the "+".
  if (code === "+1" && /^1\d{10}$/.test(number)) return `+${number}`;
  return `${code}${number.replace(/^0/, "")}`;
}

/** Mobile ranges by country; where numbers do not show their type (US, CA) they count as mobile. */
const MOBILE: Record<string, RegExp> = {
  AU: /^\+614/,
  NZ: /^\+642/,
  GB: /^\+447/,
  DE: /^\+491[5-7]/,
  FR: /^\+33[67]/,
  IN: /^\+91[6-9]/,
  CN: /^\+861/,
  BR: /^\+55\d\d9/,
};

/** What a voice call reaches (ClickSend's to_type). */
export const numberType = (to: string, country: string): "mobile" | "landline" =>
  (MOBILE[country]?.test(to) ?? true) ? "mobile" : "landline";

/** A fixed price per MMS, as in ClickSend's example (one part, AUD). */
export const MMS_PRICE = 2.42;

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

/** Length in GSM 03.38 septets (extension characters count twice), or undefined if not GSM. */
function gsmLength(body: string): number | undefined {
  let length = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) length += 1;
    else if (GSM_EXTENDED.includes(char)) length += 2;
    else return undefined;
  }
  return length;
}

/** SMS parts: 160/153 GSM or 70/67 Unicode (UTF-16 units), truncated at the account's 6 parts. */
export function smsParts(body: string): number {
  const gsm = gsmLength(body);
  const [length, single, multi] = gsm === undefined ? [body.length, 70, 67] : [gsm, 160, 153];
  return Math.min(6, length <= single ? 1 : Math.ceil(length / multi));
}

/** Voice credits: 300 GSM or 150 Unicode characters each, truncated at 4. */
export function voiceParts(body: string): number {
  const gsm = gsmLength(body);
  const per = gsm === undefined ? 150 : 300;
  return Math.min(4, Math.max(1, Math.ceil((gsm ?? body.length) / per)));
}

/** §7.2, verbatim: gender is a string or an array. */
export const VOICE_LANGUAGES: Array<{ code: string; country: string; gender: string | string[] }> =
  [
    ["en-us", "English, US", "both"],
    ["en-au", "English, Australia", "both"],
    ["en-gb", "English, UK", "both"],
    ["en-in", "English, India", "female"],
    ["de-de", "German, Germany", "both"],
    ["es-es", "Spanish, Spain", "both"],
    ["es-us", "Spanish, US", "both"],
    ["fr-ca", "French, Canada", "female"],
    ["fr-fr", "French, France", "both"],
    ["is-is", "Icelandic, Iceland", "both"],
    ["it-it", "Italian, Italy", "both"],
    ["nl-nl", "Dutch, Netherlands", "both"],
    ["pl-pl", "Polish-Poland", "both"],
    ["pt-pt", "Portuguese, Portugal", "male"],
    ["pt-br", "Portuguese, Brazil", "both"],
    ["ro-ro", "Romanian, Romania", "female"],
    ["ru-ru", "Russian, Russia", "both"],
    ["sv-se", "Swedish, Sweden", "female"],
    ["tr-tr", "Turkish, Turkey", "female"],
    ["en-gb-wls", "English, Wales", "both"],
    ["cy-gb-wls", "Celtic, Wales", "both"],
    ["nb-no", "Norwegian, Norway", "female"],
    ["da-dk", "Danish, Denmark", "both"],
  ].map(([code, country, gender]) => ({
    code: code as string,
    country: country as string,
    gender: gender === "both" ? ["female", "male"] : (gender as string),
  }));
