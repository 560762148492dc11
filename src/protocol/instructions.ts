/** The catalogue's instructions, and in sandbox mode that nothing is really sent. */
export function instructionsFor(sandbox: boolean, instructions = ""): string | undefined {
  const sandboxed =
    sandbox &&
    "This server runs against the embedded sandbox: nothing is really sent and no money is spent.";
  return [instructions, sandboxed].filter(Boolean).join(" ") || undefined;
}
