/**
 * Sets every entry of a ZIP file to one fixed modification time, in place. `mcpb pack` stamps
 * entries with the time of packing, the only thing that differs between two packs of the same
 * files; with the time fixed, the same commit gives the same bundle and the same SHA-256, so
 * server.json's fileSha256 changes only when the bundle does.
 */

/** 1980-01-01 00:00, the earliest DOS date, as reproducible builds use. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;

export function fixZipTimes(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  // The end record is the last 22 bytes unless the archive has a comment, which mcpb never writes.
  const end = out.length - 22;
  if (end < 0 || out.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) {
    throw new Error("not a ZIP file without a comment: no end of central directory record");
  }
  const entries = out.readUInt16LE(end + 10);
  let at = out.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i++) {
    if (out.readUInt32LE(at) !== CENTRAL_ENTRY) throw new Error(`bad central entry ${i}`);
    out.writeUInt16LE(DOS_TIME, at + 12);
    out.writeUInt16LE(DOS_DATE, at + 14);
    const local = out.readUInt32LE(at + 42);
    if (out.readUInt32LE(local) !== LOCAL_ENTRY) throw new Error(`bad local entry ${i}`);
    out.writeUInt16LE(DOS_TIME, local + 10);
    out.writeUInt16LE(DOS_DATE, local + 12);
    at += 46 + out.readUInt16LE(at + 28) + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}
