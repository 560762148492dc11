import { expect, it } from "vitest";
import { warmCallPath } from "../src/call-warm-up.js";

it("runs get_account in both protocol revisions through the real call path, answered from memory", async () => {
  const answers = await warmCallPath();
  expect(answers).toHaveLength(2);
  for (const answer of answers) {
    expect(answer).toMatchObject({
      result: { structuredContent: { user_id: 1, username: "warm-up", currency: "AUD" } },
    });
    expect(answer).not.toHaveProperty("result.isError");
  }
});
