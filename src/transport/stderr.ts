/**
 * stderr as a host leaves it: it may be closed or broken at any moment (a host that crashed, or
 * one that never reads server logs). A failed write is never retried and never thrown: a failure
 * reported by writing to the same broken stderr fails again, and a server that does that spins a
 * CPU core forever after its host is gone. After the first failure every write is dropped.
 */
let lost = false;

function markLost(): void {
  lost = true;
}

// Without a listener an EPIPE on stderr becomes an uncaught exception.
process.stderr.on("error", markLost);

/** Writes text to stderr unless it has failed before; false when the text was dropped. */
export function writeStderr(text: string): boolean {
  if (lost) return false;
  try {
    process.stderr.write(text, (error) => {
      if (error) markLost();
    });
  } catch {
    markLost();
  }
  return !lost;
}
