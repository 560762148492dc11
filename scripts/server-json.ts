/**
 * server.json's one field that a release fills in: the bundle's SHA-256 (the mcpb package's
 * fileSha256). Written in place, so the file keeps its formatting; used by npm run release and
 * checked by test/server-json.test.ts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const FIELD = /"fileSha256": "[0-9a-f]{64}"/g;

/** The SHA-256 of a file, in lower-case hex, as server.json records it. */
export const sha256Of = (file: string): string =>
  createHash("sha256").update(readFileSync(file)).digest("hex");

/**
 * server.json's text with the mcpb package's fileSha256 set to sha256. Its version must be the
 * package's, and it must hold exactly one fileSha256 (the mcpb package's).
 */
export function withBundleHash(text: string, version: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256 in hex: ${sha256}`);
  const server = JSON.parse(text) as { version: string };
  const hashes = text.match(FIELD) ?? [];
  if (server.version !== version || hashes.length !== 1) {
    throw new Error(
      `server.json: its version must be ${version} and one package (the mcpb) needs a fileSha256`,
    );
  }
  return text.replace(FIELD, `"fileSha256": "${sha256}"`);
}
