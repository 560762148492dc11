import { setFlagsFromString } from "node:v8";

/** The old generation may grow to 1.5x what was live after a full GC before the next one. */
const OLD_GENERATION_GROWTH_PERCENT = 50;

/**
 * Keeps a long-lived server's heap near what it holds. Every tool call leaves garbage that
 * outlives the young-generation GC: undici's Request (ky builds two a call) keeps its signal
 * bookkeeping in a WeakRef and a FinalizationRegistry cell, which only a full GC clears. V8 then
 * grows the young generation up to 16 MB a semi-space and lets the old one reach up to four
 * times its live size before collecting it, so RSS tripled over 10,000 calls with a live heap of
 * 15 MB. Here the young generation stays at its initial size and a full GC comes once the old
 * one has grown by half: no cap, the heap still grows to whatever is live. Both flags are read
 * at each sizing decision, so setting them once the process runs takes effect.
 */
export function keepHeapNearLive(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
