import { randomUUID } from "node:crypto";

/**
 * What POST /uploads?convert=mms makes of a file (clicksend-api.md §6.1, §15): an image ClickSend
 * can read becomes a JPEG it hosts (a GIF stays a GIF), at a URL an MMS send takes as media_file.
 */

const MAGIC: Array<[type: string, bytes: number[]]> = [
  ["jpg", [0xff, 0xd8, 0xff]],
  ["gif", [0x47, 0x49, 0x46, 0x38]],
  ["png", [0x89, 0x50, 0x4e, 0x47]],
  ["bmp", [0x42, 0x4d]],
];

/** The image type of a file by its first bytes, or undefined when it is none ClickSend converts. */
export const imageType = (file: Buffer) =>
  MAGIC.find(([, bytes]) => bytes.every((b, i) => file[i] === b))?.[0];

/** Where ClickSend hosts converted files (the _media_file_url of MMS history, §6.1). */
export const HOSTED = "https://clicksend-api-downloads.s3.ap-southeast-2.amazonaws.com/_private/";

/** The hosted URL of a converted image: GIF kept, anything else made a JPEG. */
export const convertedUrl = (type: string) =>
  `${HOSTED}${randomUUID().toUpperCase()}.${type === "gif" ? "gif" : "jpg"}`;
