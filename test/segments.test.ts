import { describe, expect, it } from "vitest";
import { smsSegments, voiceParts } from "../tools/segments.js";

describe("smsSegments", () => {
  it.each([
    ["a".repeat(160), "GSM-7", 1],
    ["a".repeat(161), "GSM-7", 2],
    ["a".repeat(306), "GSM-7", 2],
    ["a".repeat(307), "GSM-7", 3],
    ["é".repeat(70), "GSM-7", 1],
    ["ж".repeat(70), "UCS-2", 1],
    ["ж".repeat(71), "UCS-2", 2],
    ["ж".repeat(134), "UCS-2", 2],
    ["ж".repeat(135), "UCS-2", 3],
  ])("%#: %s chars", (body, encoding, parts) => {
    expect(smsSegments(body)).toMatchObject({ encoding, parts });
  });

  it("counts GSM extension characters twice", () => {
    expect(smsSegments("€".repeat(80)).parts).toBe(1);
    expect(smsSegments("€".repeat(81)).parts).toBe(2);
    expect(smsSegments(`${"a".repeat(159)}[`).parts).toBe(2);
  });

  it("names the characters that force UCS-2, emoji included", () => {
    const result = smsSegments(`Hi 😀 ${"a".repeat(60)}`);
    expect(result.encoding).toBe("UCS-2");
    expect(result.unicode_chars).toEqual(["😀"]);
    expect(smsSegments("😀".repeat(35)).parts).toBe(1);
    expect(smsSegments("😀".repeat(36)).parts).toBe(2);
  });
});

describe("voiceParts", () => {
  it("uses 300 GSM or 150 Unicode characters per credit", () => {
    expect(voiceParts("a".repeat(300)).parts).toBe(1);
    expect(voiceParts("a".repeat(301)).parts).toBe(2);
    expect(voiceParts("ж".repeat(151)).parts).toBe(2);
  });
});
