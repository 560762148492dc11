/**
 * Draws icon.png, the bundle's icon: a white speech bubble with three dots on a teal rounded
 * square, 512 x 512 (the size Claude Desktop recommends), antialiased by 4 x 4 supersampling. Written as a PNG with node:zlib, so
 * the artwork is ours and needs no image library.
 *
 *   node dist/scripts/icon.js [out.png]
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZE = 512;
/** The shapes below are drawn on a 256-unit grid, scaled to SIZE. */
const UNIT = SIZE / 256;
const SAMPLES = 4;
type Rgba = [number, number, number, number];
const TEAL: Rgba = [0, 128, 128, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Inside a rectangle with rounded corners. */
function inRoundedRect(x: number, y: number, [x0, y0, x1, y1]: number[], r: number): boolean {
  if (x < (x0 as number) || x > (x1 as number) || y < (y0 as number) || y > (y1 as number)) {
    return false;
  }
  const cx = Math.min(Math.max(x, (x0 as number) + r), (x1 as number) - r);
  const cy = Math.min(Math.max(y, (y0 as number) + r), (y1 as number) - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const inCircle = (x: number, y: number, cx: number, cy: number, r: number) =>
  (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

/** The bubble's tail: a triangle under its lower left. */
function inTail(x: number, y: number): boolean {
  const [ax, ay, bx, by, cx, cy] = [70, 160, 112, 160, 62, 206];
  const side = (px: number, py: number, qx: number, qy: number) =>
    (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

function colourAt(x: number, y: number): Rgba {
  if (!inRoundedRect(x, y, [8, 8, 248, 248], 48)) return CLEAR;
  const dot = [88, 128, 168].some((cx) => inCircle(x, y, cx, 116, 13));
  const bubble = inRoundedRect(x, y, [40, 60, 216, 172], 36) || inTail(x, y);
  return bubble && !dot ? WHITE : TEAL;
}

function pixels(): Buffer {
  // Each row starts with PNG filter type 0 (none).
  const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt((x + (sx + 0.5) / SAMPLES) / UNIT, (y + (sy + 0.5) / SAMPLES) / UNIT);
          // Premultiplied, so the transparent corners do not darken the edge.
          for (let i = 0; i < 3; i++) sum[i] = (sum[i] as number) + (c[i] as number) * c[3];
          sum[3] = (sum[3] as number) + c[3];
        }
      }
      const alpha = (sum[3] as number) / SAMPLES ** 2;
      const at = y * (SIZE * 4 + 1) + 1 + x * 4;
      for (let i = 0; i < 3; i++) {
        rows[at + i] = alpha ? Math.round((sum[i] as number) / (sum[3] as number)) : 0;
      }
      rows[at + 3] = Math.round(alpha);
    }
  }
  return rows;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function drawIcon(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels(), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

if (process.argv[1]?.endsWith("icon.js")) {
  const out = process.argv[2] ?? new URL("../../icon.png", import.meta.url).pathname;
  writeFileSync(out, drawIcon());
  console.log(`${out}: ${SIZE} x ${SIZE}`);
}
