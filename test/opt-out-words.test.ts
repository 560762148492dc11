import { describe, expect, it } from "vitest";
import { foldReply, isOptOutReply } from "../src/sending/opt-out-words.js";

describe("isOptOutReply", () => {
  it.each([
    "STOP",
    "stop",
    " Stop. ",
    "Stop!!",
    "QUIT",
    "end",
    "Revoke",
    "opt out",
    "Opt-Out",
    "OPT  OUT",
    "cancel",
    "Unsubscribe",
    "stop all",
    "STOP ALL",
    "stopall",
    "optout",
    "ＳＴＯＰ",
    "\u200bstop\u200b",
    "«stop»",
    "stop\n",
    "🛑 STOP 🛑",
  ])("%j is an opt-out", (text) => {
    expect(isOptOutReply(text)).toBe(true);
  });

  it.each([
    "stop by at 5",
    "please stop",
    "Don't stop",
    "stopping",
    "stops",
    "the end",
    "cancel my 10am booking",
    "unsubscribed already?",
    "opt in",
    "YES",
    "s t o p",
    "",
    "   ",
    "stop ".repeat(20),
  ])("%j is not", (text) => {
    expect(isOptOutReply(text)).toBe(false);
  });

  it("takes nothing that is not text", () => {
    expect(isOptOutReply(undefined)).toBe(false);
    expect(isOptOutReply(null)).toBe(false);
  });
});

describe("foldReply", () => {
  it("folds case, width, spacing and the punctuation around the text", () => {
    expect(foldReply("  ＯＰＴ -- out!! ")).toBe("opt out");
    expect(foldReply("Stop, please.")).toBe("stop, please");
  });
});
