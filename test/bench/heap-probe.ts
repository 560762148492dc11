/**
 * Preloaded into the server the bench measures for memory (node --import): on SIGUSR2 it writes
 * one line of process.memoryUsage() to stderr, so the bench can read the heap beside /proc's RSS.
 * Never part of the shipped bin.
 */
process.on("SIGUSR2", () => {
  process.stderr.write(`heap-probe ${JSON.stringify(process.memoryUsage())}\n`);
});
