/**
 * What tools/list may cost the model, decided once for the suite and the bench. The default
 * toolsets get 6,500 tokens: 5,433 today, leaving about a thousand for this road's new default
 * tools (get_conversation and list_conversations, and the consent and quiet-hours options the send
 * tools gain). Every toolset together gets 10,000 (9,270 today; upload_media and the voice rule
 * options to come). npm run bench counts tokens with a real tokenizer; test/registry.test.ts holds
 * the same budgets in bytes, at the listing's 4 bytes a token.
 */
export const LISTING_BUDGET = {
  defaultTokens: 6500,
  allTokens: 10_000,
  defaultBytes: 26_000,
  allBytes: 40_000,
};
