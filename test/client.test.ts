import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fail, ok } from "../sandbox/envelope.js";
import { paginate } from "../sandbox/pagination.js";
import { route } from "../sandbox/router.js";
import { routes as defaultRoutes } from "../sandbox/routes/index.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { TEST_ACCOUNT_KEY } from "../sandbox/state.js";
import { type ClientOptions, createClickSendClient } from "../src/client.js";
import { normalisePage } from "../src/envelope.js";
import {
  ClickSendApiError,
  ClickSendNetworkError,
  ClickSendResponseError,
  UserInputError,
} from "../src/errors.js";
import { path } from "../src/path.js";
import { holdClock, timeOutWhen } from "./support/deadline.js";
import { testClient } from "./support/harness.js";
import { freePort } from "./support/net.js";
import { failure } from "./support/results.js";
import { HANG_MS, until, within } from "./support/wait.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const ITEMS = Array.from({ length: 31 }, (_, i) => ({ id: i + 1 }));

/** Extra routes for page shapes and statuses the default catalogue does not produce. */
const testRoutes = [
  route("GET", "test/items", (req) =>
    ok("Here are your items.", paginate(ITEMS, req.query, req.url)),
  ),
  route("GET", "test/empty", (req) => ok("Here are your items.", paginate([], req.query, req.url))),
  route("GET", "test/strings", () =>
    ok("Here are your items.", {
      total: "16",
      per_page: "15",
      current_page: "1",
      last_page: "2",
      next_page_url: "/?page=2",
      prev_page_url: null,
      data: [{ id: 1 }],
    }),
  ),
  // A 500 that went through the sandbox's normal path, so it carries ratelimit-reset (60 s).
  route("GET", "test/boom", () => fail(500, "INTERNAL_SERVER_ERROR", "Something went wrong.")),
];

let sandbox: Sandbox;

const client = (overrides: Partial<ClientOptions> = {}) => testClient(sandbox, overrides);

const attempts = (p: string, method = "GET") =>
  sandbox.requests.filter((r) => r.path === p && r.method === method).length;

beforeAll(async () => {
  sandbox = await startSandbox({ routes: [...defaultRoutes, ...testRoutes] });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.requests.length = 0;
});

describe("errors", () => {
  it("400 carries the field errors from data", async () => {
    sandbox.faults.inject({ path: "account", fault: { type: "status", status: 400 } });
    const error = await failure(client().get("account"));
    expect(error).toBeInstanceOf(ClickSendApiError);
    const api = error as ClickSendApiError;
    expect(api.status).toBe(400);
    expect(api.responseCode).toBe("BAD_REQUEST");
    expect(api.fieldErrors).toEqual({ body: "Body field is required." });
    expect(api.message).toContain("body: Body field is required.");
    expect(api.outcome).toBe("not_sent");
    expect(attempts("account")).toBe(1);
  });

  it("401 from real rejected credentials names the variables to check", async () => {
    const wrong = client({ auth: { kind: "basic", username: "sandbox", apiKey: "WRONG" } });
    const error = (await failure(wrong.get("account"))) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.status).toBe(401);
    expect(error.responseCode).toBe("UNAUTHORIZED");
    expect(error.message).toContain("CLICKSEND_API_KEY");
    expect(error.message).toContain("CLICKSEND_USERNAME");
    expect(attempts("account")).toBe(1);
  });

  it("403 says what the calling tool's id hints say it means, else that permission is missing", async () => {
    sandbox.faults.inject({ path: "lists/999/contacts", fault: { type: "status", status: 403 } });
    const error = (await failure(client().get("lists/999/contacts"))) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.status).toBe(403);
    expect(error.message).toContain("no permission on this resource");
    expect(error.explain({ forbidden: "The list is not yours." })).toBe(
      "ClickSend refused GET /lists/999/contacts (HTTP 403 FORBIDDEN: Resource not found or you don't have the permissions to access this resource.). The list is not yours.",
    );
  });

  it("403 elsewhere (a suspended account) is about permission, not a list", async () => {
    const banned = client({
      auth: { kind: "basic", username: "banned", apiKey: TEST_ACCOUNT_KEY },
    });
    const error = (await failure(banned.get("account"))) as ClickSendApiError;
    expect(error.status).toBe(403);
    expect(error.message).toContain("suspended");
    expect(error.message).not.toContain("list");
  });

  it("404 tells the model to check the id and where ids come from", async () => {
    sandbox.faults.inject({ path: "sms/templates/42", fault: { type: "status", status: 404 } });
    const error = (await failure(client().get("sms/templates/42"))) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/Check the id\. The resource does not exist\.$/);
    expect(error.explain({ find: "Find template ids with list_templates." })).toMatch(
      /Check the id\. Find template ids with list_templates\.$/,
    );
    expect(error.explain({ noId: true })).toMatch(/not found: check CLICKSEND_BASE_URL\.$/);
    expect(attempts("sms/templates/42")).toBe(1);
  });

  it("404 for an unknown endpoint keeps ClickSend's message", async () => {
    const error = (await failure(client().get("no/such/endpoint"))) as ClickSendApiError;
    expect(error.status).toBe(404);
    expect(error.responseMsg).toBe("Invalid endpoint. Please try again.");
  });

  it("429 with a long Retry-After says how long to wait", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "status", status: 429, retryAfter: 30 },
    });
    const error = (await failure(client().get("account"))) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toContain("retry after 30 seconds");
  });

  it.each([500, 502, 503])(
    "%i on a read fails after retries and says it is safe to retry",
    async (status) => {
      sandbox.faults.inject({ path: "account", times: 3, fault: { type: "status", status } });
      const error = (await failure(client().get("account"))) as ClickSendApiError;
      expect(error).toBeInstanceOf(ClickSendApiError);
      expect(error.status).toBe(status);
      expect(error.message).toContain("ClickSend failed; this read is safe to retry.");
      expect(error.outcome).toBe("not_sent");
      expect(attempts("account")).toBe(3);
    },
  );

  it("500 on a write may have taken effect", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: { type: "status", status: 500 } });
    const error = (await failure(client().post("sms/send", { messages: [] }))) as ClickSendApiError;
    expect(error.status).toBe(500);
    expect(error.outcome).toBe("maybe_sent");
    expect(error.message).not.toContain("safe to retry");
  });

  it("an HTML page instead of JSON is a ClickSendResponseError", async () => {
    sandbox.faults.inject({ path: "account", times: 3, fault: { type: "html", status: 502 } });
    const error = (await failure(client().get("account"))) as ClickSendResponseError;
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.status).toBe(502);
    expect(error.message).toContain("HTML page instead of JSON");
    expect(error.message).not.toContain("<html>");
    expect(attempts("account")).toBe(3);
  });

  it("an HTML page on a write says it may have been sent", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: { type: "html", status: 502 } });
    const error = (await failure(client().post("sms/send", {}))) as ClickSendResponseError;
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.outcome).toBe("maybe_sent");
  });

  it("an empty body is a ClickSendResponseError", async () => {
    sandbox.faults.inject({ path: "account", fault: { type: "empty" } });
    const error = (await failure(client().get("account"))) as ClickSendResponseError;
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.status).toBe(200);
    expect(error.message).toContain("an empty body");
  });

  it("truncated JSON is a ClickSendResponseError", async () => {
    sandbox.faults.inject({ path: "account", fault: { type: "truncated" } });
    const error = (await failure(client().get("account"))) as ClickSendResponseError;
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.message).toContain("malformed JSON");
  });

  it("JSON that is not the envelope is a ClickSendResponseError", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "status", status: 200, body: { hello: "world" } },
    });
    const error = await failure(client().get("account"));
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.message).toContain("not ClickSend's response envelope");
  });

  it("a bare body is data only where the caller says the endpoint answers without the envelope", async () => {
    const body = { alpha_tags: [{ alpha_tag: "Shop" }], metadata: {} };
    sandbox.faults.inject({
      path: "account",
      times: 2,
      fault: { type: "status", status: 200, body },
    });
    expect(await client().get("account", undefined, { bare: true })).toEqual(body);
    // Without it, the same answer is still not ClickSend's.
    expect(await failure(client().get("account"))).toBeInstanceOf(ClickSendResponseError);
    sandbox.faults.inject({
      path: "account",
      fault: { type: "status", status: 404, body: { message: "Not found", errors: { id: "bad" } } },
    });
    const error = (await failure(
      client().get("account", undefined, { bare: true }),
    )) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error).toMatchObject({
      status: 404,
      responseCode: "HTTP_404",
      responseMsg: "Not found",
      fieldErrors: { id: "bad" },
    });
  });

  it("a 200 with a failing response_code is an API error", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: {
        type: "status",
        status: 200,
        body: {
          http_code: 200,
          response_code: "INVALID_CREDENTIALS",
          response_msg: "No.",
          data: null,
        },
      },
    });
    const error = (await failure(client().get("account"))) as ClickSendApiError;
    expect(error).toBeInstanceOf(ClickSendApiError);
    expect(error.responseCode).toBe("INVALID_CREDENTIALS");
  });

  // On the held clock (support/deadline.ts) the delayed answer never comes, and the deadline
  // fires when the test moves the clock, once the request is at the sandbox: nothing else can.
  const slow = { type: "delay", ms: 60_000 } as const;

  it("a slow answer is a timeout at timeoutMs, not retried", async () => {
    sandbox.faults.inject({ path: "account", fault: slow });
    holdClock();
    const error = (await failure(
      timeOutWhen(
        "GET account",
        () => attempts("account") === 1,
        200,
        () => client({ timeoutMs: 200 }).get("account"),
      ),
    )) as ClickSendNetworkError;
    expect(error).toBeInstanceOf(ClickSendNetworkError);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("(timeout after 200 ms)");
    expect(error.outcome).toBe("not_sent");
    expect(attempts("account")).toBe(1);
    // It ended at the deadline: the answer had not come.
    expect(sandbox.requests[0]?.status).toBeUndefined();
  });

  it("a timeout on a write may have taken effect", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: slow });
    holdClock();
    const error = (await failure(
      timeOutWhen(
        "POST sms/send",
        () => attempts("sms/send", "POST") === 1,
        200,
        () => client({ timeoutMs: 200 }).post("sms/send", {}),
      ),
    )) as ClickSendNetworkError;
    expect(error.kind).toBe("timeout");
    expect(error.outcome).toBe("maybe_sent");
  });

  it("a cancelled call is reported as aborted", async () => {
    sandbox.faults.inject({ path: "account", fault: slow });
    holdClock();
    const controller = new AbortController();
    const call = failure(client().get("account", undefined, { signal: controller.signal }));
    await until("the request to reach the sandbox", () => attempts("account") === 1);
    controller.abort();
    const error = (await within(HANG_MS, "the cancelled call", call)) as ClickSendNetworkError;
    expect(error).toBeInstanceOf(ClickSendNetworkError);
    expect(error.kind).toBe("aborted");
  });

  it("a dropped connection is a reset (GETs retried, then reported)", async () => {
    sandbox.faults.inject({ path: "account", times: 3, fault: { type: "drop" } });
    const error = (await failure(client().get("account"))) as ClickSendNetworkError;
    expect(error).toBeInstanceOf(ClickSendNetworkError);
    expect(["reset", "network"]).toContain(error.kind);
    expect(error.outcome).toBe("not_sent");
    expect(attempts("account")).toBe(3);
  });

  it("a refused connection was never sent, even for a write", async () => {
    const port = await freePort();
    const refused = client({ baseUrl: `http://127.0.0.1:${port}/v3` });
    for (const call of [() => refused.get("account"), () => refused.post("sms/send", {})]) {
      const error = (await failure(call())) as ClickSendNetworkError;
      expect(error).toBeInstanceOf(ClickSendNetworkError);
      expect(error.kind).toBe("refused");
      expect(error.outcome).toBe("not_sent");
      expect(error.message).toContain("CLICKSEND_BASE_URL");
    }
  });
});

describe("retry policy", () => {
  it("retries a GET on 503 and succeeds on the third attempt", async () => {
    sandbox.faults.inject({ path: "account", times: 2, fault: { type: "status", status: 503 } });
    const account = await client().get<{ username: string }>("account");
    expect(account.username).toBe("sandbox");
    const log = sandbox.requests.filter((r) => r.path === "account");
    expect(log.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("gives up on a GET after exactly 3 attempts", async () => {
    sandbox.faults.inject({ path: "account", times: 10, fault: { type: "status", status: 503 } });
    await failure(client().get("account"));
    expect(attempts("account")).toBe(3);
  });

  it("retries a 500 even when the response carries ratelimit-reset", async () => {
    const error = (await failure(client().get("test/boom"))) as ClickSendApiError;
    expect(error.status).toBe(500);
    expect(attempts("test/boom")).toBe(3);
  });

  it("sends a POST exactly once on 503", async () => {
    sandbox.faults.inject({ path: "sms/send", times: 5, fault: { type: "status", status: 503 } });
    const error = (await failure(client().post("sms/send", { messages: [] }))) as ClickSendApiError;
    expect(error.status).toBe(503);
    expect(error.outcome).toBe("maybe_sent");
    expect(attempts("sms/send", "POST")).toBe(1);
  });

  it("sends a POST exactly once on a dropped connection", async () => {
    sandbox.faults.inject({ path: "sms/send", times: 5, fault: { type: "drop" } });
    const error = (await failure(
      client().post("sms/send", { messages: [] }),
    )) as ClickSendNetworkError;
    expect(error).toBeInstanceOf(ClickSendNetworkError);
    expect(["reset", "network"]).toContain(error.kind);
    expect(error.outcome).toBe("maybe_sent");
    expect(attempts("sms/send", "POST")).toBe(1);
  });

  it("does not retry PUT or DELETE", async () => {
    sandbox.faults.inject({ path: "lists/1", times: 10, fault: { type: "status", status: 503 } });
    await failure(client().put("lists/1", { list_name: "x" }));
    await failure(client().delete("lists/1"));
    expect(attempts("lists/1", "PUT")).toBe(1);
    expect(attempts("lists/1", "DELETE")).toBe(1);
  });

  it("honours a short Retry-After", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "status", status: 429, retryAfter: 1 },
    });
    const started = Date.now();
    await client().get("account");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sandbox.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("does not wait for a Retry-After longer than maxRetryAfterMs", async () => {
    sandbox.faults.inject({
      path: "account",
      times: 3,
      fault: { type: "status", status: 429, retryAfter: 5 },
    });
    // On the held clock a wait would never end: the call ending at all shows there was none.
    holdClock();
    const error = (await within(
      HANG_MS,
      "a GET answered 429 with Retry-After: 5",
      failure(client().get("account")),
    )) as ClickSendApiError;
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.message).toContain("retry after 5 seconds");
    expect(attempts("account")).toBe(1);
  });
});

describe("gateway mode", () => {
  let gateway: Sandbox;
  beforeAll(async () => {
    gateway = await startSandbox({ prefix: "/clicksend/v3", bearerToken: "tok" });
  });
  afterAll(() => gateway.close());

  it("reaches ClickSend under a gateway path with a bearer token", async () => {
    expect(gateway.baseUrl).toMatch(/\/clicksend\/v3$/);
    const viaGateway = createClickSendClient({
      baseUrl: `${gateway.baseUrl}/`,
      auth: { kind: "bearer", token: "tok" },
      timeoutMs: HANG_MS,
    });
    const account = await viaGateway.get<{ username: string }>("account");
    expect(account.username).toBe("sandbox");
    expect(gateway.requests.at(-1)).toMatchObject({ method: "GET", path: "account", status: 200 });
  });

  it("a wrong token is a 401", async () => {
    const wrong = createClickSendClient({
      baseUrl: gateway.baseUrl,
      auth: { kind: "bearer", token: "nope" },
      timeoutMs: HANG_MS,
    });
    const error = (await failure(wrong.get("account"))) as ClickSendApiError;
    expect(error.status).toBe(401);
    expect(error.message).toContain("CLICKSEND_BEARER_TOKEN");
  });
});

describe("requests on the wire", () => {
  it("identifies itself as clicksend-mcp/<version> and never leaks the key into the log", async () => {
    await client().get("account");
    const record = sandbox.requests.at(-1);
    expect(record?.userAgent).toBe(`clicksend-mcp/${pkg.version}`);
    expect(JSON.stringify(sandbox.requests)).not.toContain(sandbox.credentials.apiKey);
  });

  it("sends JSON bodies as application/json", async () => {
    sandbox.faults.inject({ path: "sms/send", fault: { type: "status", status: 400 } });
    const body = { messages: [{ to: "+61411111111", body: "hi" }] };
    await failure(client().post("sms/send", body));
    const record = sandbox.requests.at(-1);
    expect(record?.method).toBe("POST");
    expect(record?.contentType).toMatch(/^application\/json/);
    expect(record?.body).toEqual(body);
  });

  it("sends query values as strings and drops undefined ones", async () => {
    await client().get("account", { a: 1, b: undefined, c: true, d: "x y" });
    expect(sandbox.requests.at(-1)?.query).toEqual({ a: "1", c: "true", d: "x y" });
  });
});

describe("getPage", () => {
  it("normalises a Laravel page", async () => {
    const page = await client().getPage<{ id: number }>("test/items", { page: 2, limit: 15 });
    expect(page).toEqual({
      items: ITEMS.slice(15, 30),
      page: 2,
      per_page: 15,
      total: 31,
      last_page: 3,
      has_more: true,
    });
    expect(sandbox.requests.at(-1)?.query).toEqual({ page: "2", limit: "15" });
    const last = await client().getPage("test/items", { page: 3 });
    expect(last).toMatchObject({ items: [{ id: 31 }], page: 3, has_more: false });
  });

  it("normalises an empty page (ClickSend's last_page 0) as page 1 of 1, no more", async () => {
    expect(await client().getPage("test/empty")).toEqual({
      items: [],
      page: 1,
      per_page: 15,
      total: 0,
      last_page: 1,
      has_more: false,
    });
  });

  it("accepts string-typed numbers", async () => {
    expect(await client().getPage("test/strings")).toEqual({
      items: [{ id: 1 }],
      page: 1,
      per_page: 15,
      total: 16,
      last_page: 2,
      has_more: true,
    });
  });

  it("reports data that is not a page as a response error", async () => {
    const error = await failure(client().getPage("account"));
    expect(error).toBeInstanceOf(ClickSendResponseError);
    expect(error.message).toContain("page");
  });
});

describe("normalisePage", () => {
  it("maps Laravel 8 pages and ignores extra keys", () => {
    expect(
      normalisePage({
        current_page: 1,
        data: [{ list_id: 1 }],
        first_page_url: "https://rest.clicksend.com/v3/lists?page=1",
        from: 1,
        last_page: 1,
        links: [{ url: null, label: "&laquo; Previous", active: false }],
        path: "https://rest.clicksend.com/v3/lists",
        per_page: 15,
        to: 1,
        total: 1,
      }),
    ).toEqual({
      items: [{ list_id: 1 }],
      page: 1,
      per_page: 15,
      total: 1,
      last_page: 1,
      has_more: false,
    });
  });

  it("handles string numbers and the empty page", () => {
    expect(
      normalisePage({ total: "0", per_page: "15", current_page: "1", last_page: "0", data: [] }),
    ).toEqual({ items: [], page: 1, per_page: 15, total: 0, last_page: 1, has_more: false });
    expect(
      normalisePage({ total: 40, per_page: 15, current_page: "2", last_page: 3, data: [] })
        .has_more,
    ).toBe(true);
  });

  it("rejects data that is not a page", () => {
    expect(() => normalisePage({ data: [] })).toThrow();
    expect(() => normalisePage([1, 2])).toThrow();
    expect(() =>
      normalisePage({ total: "many", per_page: 15, current_page: 1, last_page: 1, data: [] }),
    ).toThrow();
  });
});

describe("path()", () => {
  it("builds paths from normal ids", () => {
    expect(path`lists/${428}/contacts/${"1211152419"}`).toBe("lists/428/contacts/1211152419");
    expect(path`sms/${"BF7AD270-0DE2-418B-B606-71D527D9C1AE"}/cancel`).toBe(
      "sms/BF7AD270-0DE2-418B-B606-71D527D9C1AE/cancel",
    );
    expect(path`lists/${0}`).toBe("lists/0");
  });

  it.each([
    "..",
    ".",
    "a/b",
    "%2F",
    "..%2F..",
    "",
    "12 34",
    "1?x=1",
    "1#x",
    "a\\b",
    "x".repeat(65),
  ])("refuses %j", (id) => {
    expect(() => path`lists/${id}/contacts`).toThrow(UserInputError);
  });

  it("refuses before any request is made and says which id", () => {
    try {
      path`lists/${"../account"}`;
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as Error).message).toContain('"../account"');
    }
  });
});
