/**
 * The client against an upstream that misbehaves at the transport: a body that trickles in, a
 * redirect to another origin, an error that quotes the request back, a body too large to hold.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { type ClickSendClient, type ClientOptions, MAX_RESPONSE_BYTES } from "../src/client.js";
import {
  ClickSendApiError,
  ClickSendNetworkError,
  ClickSendResponseError,
  formatToolError,
} from "../src/errors.js";
import { redactorFor } from "../src/redact.js";
import { headersLog, holdClock, timeOutWhen } from "./support/deadline.js";
import { testClient } from "./support/harness.js";
import { failure } from "./support/results.js";
import { until } from "./support/wait.js";

let sandbox: Sandbox;
/** Another origin: where a redirect points, and where nothing may arrive. */
let elsewhere: Sandbox;

const client = (overrides: Partial<ClientOptions> = {}) => testClient(sandbox, overrides);
const SEND = { messages: [{ to: "+61411111111", body: "Your code is 4417" }] };

const records = (path: string, method = "GET") =>
  sandbox.requests.filter((r) => r.path === path && r.method === method);

beforeAll(async () => {
  sandbox = await startSandbox();
  elsewhere = await startSandbox(sandbox.credentials);
});
afterAll(async () => {
  await sandbox.close();
  await elsewhere.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.requests.length = 0;
  elsewhere.requests.length = 0;
});

describe("one deadline over the whole exchange", () => {
  // The headers, then a byte an hour: the body is still arriving at any deadline.
  const trickle = { type: "trickle", intervalMs: 3_600_000 } as const;
  const headers = headersLog();

  /**
   * Calls on the held clock (support/deadline.ts) and fires the 300 ms deadline once the
   * answer's headers have reached the client: on any machine, the deadline finds the body
   * arriving.
   */
  const midBody = (method: "GET" | "POST", path: string, call: (c: ClickSendClient) => unknown) => {
    headers.clear();
    const timed = client({ timeoutMs: 300, logger: headers.logger });
    holdClock();
    return failure(
      timeOutWhen(
        `${method} ${path}`,
        () => headers.came(method, new RegExp(`^${path}$`)),
        300,
        async () => call(timed),
      ),
    ) as Promise<ClickSendNetworkError>;
  };

  it("ends a read whose body trickles in, at the deadline", async () => {
    sandbox.faults.inject({ path: "account", fault: trickle });
    const error = await midBody("GET", "account", (c) => c.get("account"));
    expect(error).toBeInstanceOf(ClickSendNetworkError);
    expect(error.kind).toBe("timeout");
    expect(error.outcome).toBe("not_sent");
    expect(error.message).toMatch(/in time \(timeout after 300 ms\): HTTP 200 came/);
    const [record] = records("account");
    expect(record?.status).toBe(200);
    // The client hung up mid-body.
    await until("the client to hang up", () => record?.closedEarly === true);
  });

  it("says a send that timed out mid-body may have been sent", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: trickle });
    const error = await midBody("POST", "sms/send", (c) => c.post("sms/send", SEND));
    expect(error.kind).toBe("timeout");
    expect(error.outcome).toBe("maybe_sent");
    // The sandbox really handled it: this is the case "maybe" is for.
    expect(sandbox.state.messages.some((m) => m.body === SEND.messages[0]?.body)).toBe(true);
  });

  it("keeps a refusal a refusal when its body is what times out", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: trickle });
    const error = await midBody("POST", "sms/send", (c) => c.post("sms/send", { messages: [] }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("HTTP 400 came");
    expect(error.outcome).toBe("not_sent");
  });

  it("counts retries and the waits between them against the same deadline", async () => {
    sandbox.faults.inject({ path: "account", times: 3, fault: { type: "status", status: 503 } });
    const slowRetries = client({ timeoutMs: 500, retry: { baseDelayMs: 5000 } });
    holdClock();
    // The cue: the 503 is in and the client waits to retry (its deadline and that wait are the
    // two timers held). Moving the clock 500 ms then ends the call, 4.5 s before the retry.
    const error = (await failure(
      timeOutWhen(
        "GET account, retried after 5 s",
        () => records("account").length === 1 && vi.getTimerCount() === 2,
        500,
        () => slowRetries.get("account"),
      ),
    )) as ClickSendNetworkError;
    expect(error.kind).toBe("timeout");
    expect(records("account")).toHaveLength(1);
  });
});

describe("redirects are never followed", () => {
  const location = (path: string) => `${elsewhere.baseUrl}/${path}`;

  it.each([301, 302, 307, 308] as const)(
    "%i on a send: nothing goes to the other origin, nothing was sent",
    async (status) => {
      sandbox.faults.inject({
        path: "sms/send",
        fault: { type: "redirect", status, location: location("sms/send") },
      });
      const body = `Redirected with ${status}`;
      const send = { messages: [{ to: "+61411111111", body }] };
      const error = (await failure(client().post("sms/send", send))) as ClickSendResponseError;
      expect(error).toBeInstanceOf(ClickSendResponseError);
      expect(error.message).toContain(
        `redirect (HTTP ${status}) to ${new URL(elsewhere.baseUrl).host}`,
      );
      expect(error.message).toContain("check CLICKSEND_BASE_URL");
      expect(error.outcome).toBe("not_sent");
      expect(elsewhere.requests).toEqual([]);
      expect(records("sms/send", "POST")).toHaveLength(1);
      expect(sandbox.state.messages.some((m) => m.body === body)).toBe(false);
    },
  );

  it("303 on a send says it may have been handled", async () => {
    sandbox.faults.inject({
      path: "sms/send",
      fault: { type: "redirect", status: 303, location: location("sms/history") },
    });
    const error = (await failure(client().post("sms/send", SEND))) as ClickSendResponseError;
    expect(error.outcome).toBe("maybe_sent");
    expect(elsewhere.requests).toEqual([]);
  });

  it("a read is not followed either, and is not retried", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "redirect", status: 302, location: location("account") },
    });
    const error = (await failure(client().get("account"))) as ClickSendResponseError;
    expect(error.message).toContain(`to ${new URL(elsewhere.baseUrl).host}`);
    expect(error.outcome).toBe("not_sent");
    expect(elsewhere.requests).toEqual([]);
    expect(records("account")).toHaveLength(1);
  });
});

describe("upstream text is redacted before it goes anywhere", () => {
  const secretsOf = () => {
    const pair = `${sandbox.credentials.username}:${sandbox.credentials.apiKey}`;
    return [sandbox.credentials.apiKey, pair, Buffer.from(pair).toString("base64")];
  };

  it("an error that echoes the Authorization header and the body shows neither", async () => {
    const body = 'He said "meet at 5" / café\nBring the key';
    sandbox.faults.inject({ path: "sms/send", fault: { type: "echo" } });
    const error = (await failure(
      client().post("sms/send", { messages: [{ to: "+61411111111", body }] }),
    )) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.status).toBe(400);
    // The echo really carried them: the redaction marks stand where they were.
    expect(error.responseMsg).toContain("Authorization: Basic [credentials]");
    expect(error.responseMsg).toContain("[message text]");
    const shown = [
      error.message,
      formatToolError(error, { readOnly: false }),
      JSON.stringify(error.fieldErrors),
    ].join("\n");
    for (const secret of [...secretsOf(), body, JSON.stringify(body).slice(1, -1)]) {
      expect(shown).not.toContain(secret);
    }
    expect(shown).not.toContain("meet at 5");
  });

  it("redacts raw, escaped, Base64, bearer and cut-short forms, and clips long text", () => {
    const basic = redactorFor(
      { kind: "basic", username: "acme", apiKey: "ABCDEF-123456-XYZ" },
      {
        messages: [{ body: "Ünïcode/slash text that is long enough", subject: "Promo code" }],
        name: "not a text field",
      },
    );
    const pair = Buffer.from("acme:ABCDEF-123456-XYZ");
    expect(basic(`key abcdef-123456-xyz and ${pair.toString("base64")}`)).toBe(
      "key [credentials] and [credentials]",
    );
    expect(basic(`${pair.toString("base64url")}|acme:ABCDEF-123456-XYZ`)).toBe(
      "[credentials]|[credentials]",
    );
    expect(basic(String.raw`"\u00dcn\u00efcode\/slash text that is long enough"`)).toBe(
      '"[message text]"',
    );
    expect(basic("Message 'Ünïcode/slash text th...' too long; Promo code")).toBe(
      "Message '[message text]...' too long; [message text]",
    );
    expect(basic("not a text field")).toBe("not a text field");
    expect(basic("x".repeat(2000))).toHaveLength(501);

    const bearer = redactorFor({ kind: "bearer", token: "gw-token-0123456789" }, undefined);
    expect(bearer("Bearer gw-token-0123456789 rejected")).toBe("Bearer [credentials] rejected");
  });
});

describe("answers are read up to a cap", () => {
  const HUGE = 64 * 1024 * 1024;

  it.each([
    ["streamed", false],
    ["declared in Content-Length", true],
  ])("a body over the cap (%s) fails, read no further than the cap", async (_how, declared) => {
    sandbox.faults.inject({ path: "account", fault: { type: "oversized", bytes: HUGE, declared } });
    const error = (await failure(client().get("account"))) as ClickSendResponseError;
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.message).toContain("a body over 4 MiB, which was not read");
    expect(error.outcome).toBe("not_sent");
    const [record] = records("account");
    await until("the client to hang up", () => record?.closedEarly === true);
    // The cap plus what socket buffers took: nowhere near the 64 MiB on offer.
    expect(record?.bytesSent).toBeLessThan(24 * 1024 * 1024);
  });

  it("a send answered with a body over the cap may have been sent", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: { type: "oversized", bytes: HUGE } });
    const error = (await failure(client().post("sms/send", SEND))) as ClickSendResponseError;
    expect(error.message).toContain("a body over 4 MiB, which was not read");
    expect(error.outcome).toBe("maybe_sent");
  });

  it("a body just under the cap is read whole", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "oversized", bytes: MAX_RESPONSE_BYTES },
    });
    const data = await client().get<{ padding: string }>("account");
    expect(data.padding.length).toBeGreaterThan(MAX_RESPONSE_BYTES - 200);
  });
});
