/** Which scope a JSON-RPC body needs, and what a step-up asks for (src/oauth/scopes.ts). */
import { describe, expect, it } from "vitest";
import { allows, scopeNeeded, stepUpScopes } from "../src/oauth/scopes.js";
import { tools } from "../tools/index.js";

const readOnly = new Map(tools.map((t) => [t.name, t.annotations.readOnlyHint]));
const call = (name: unknown) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } });

describe("scopes", () => {
  it("asks send for a tool that is not read-only, read for everything else", () => {
    expect(scopeNeeded(call("send_sms"), readOnly)).toBe("clicksend:send");
    expect(scopeNeeded(call("delete_contact"), readOnly)).toBe("clicksend:send");
    expect(scopeNeeded(call("preview_sms"), readOnly)).toBe("clicksend:read");
    expect(scopeNeeded(call("get_account"), readOnly)).toBe("clicksend:read");
    // The server answers that these do not exist; nothing runs.
    expect(scopeNeeded(call("no_such_tool"), readOnly)).toBe("clicksend:read");
    expect(scopeNeeded(call(42), readOnly)).toBe("clicksend:read");
    for (const method of [
      "initialize",
      "tools/list",
      "resources/read",
      "notifications/initialized",
    ]) {
      expect(scopeNeeded({ jsonrpc: "2.0", method }, readOnly), method).toBe("clicksend:read");
    }
    // A batch needs what its most demanding message needs.
    expect(scopeNeeded([call("get_account"), call("send_sms")], readOnly)).toBe("clicksend:send");
    expect(scopeNeeded(null, readOnly)).toBe("clicksend:read");
  });

  it("lets send allow reads, and steps up to what the token has plus what is needed", () => {
    expect(allows(["clicksend:send"], "clicksend:read")).toBe(true);
    expect(allows(["clicksend:read"], "clicksend:send")).toBe(false);
    expect(allows(["openid"], "clicksend:read")).toBe(false);
    expect(stepUpScopes(["clicksend:read"], "clicksend:send")).toEqual([
      "clicksend:read",
      "clicksend:send",
    ]);
    expect(stepUpScopes([], "clicksend:read")).toEqual(["clicksend:read"]);
  });
});
