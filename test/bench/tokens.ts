import { getTokenizer } from "@anthropic-ai/tokenizer";

/**
 * Tokens by the tokenizer @anthropic-ai/tokenizer ships (Claude's; a model a host runs may count a
 * little differently). One tokenizer for the whole run: its countTokens builds one per call,
 * about a quarter of a second each; this counts the same way (NFKC, special tokens allowed).
 */
let tokenizer: ReturnType<typeof getTokenizer> | undefined;

export function tokensOf(text: string): number {
  tokenizer ??= getTokenizer();
  return tokenizer.encode(text.normalize("NFKC"), "all").length;
}

export function freeTokenizer(): void {
  tokenizer?.free();
  tokenizer = undefined;
}
