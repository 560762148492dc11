import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FaultInjector } from "../sandbox/faults.js";
import { paginate } from "../sandbox/pagination.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { TEST_ACCOUNT_KEY } from "../sandbox/state.js";

const UNAUTHORIZED =
  '{"http_code":401,"response_code":"UNAUTHORIZED","response_msg":"Authorization failed.","data":null}';
const SUSPENDED =
  '{"http_code":403,"response_code":"FORBIDDEN","response_msg":"Your account is suspended. Please contact support for more information.","data":null}';
const INVALID_ENDPOINT =
  '{"http_code":404,"response_code":"NOT_FOUND","response_msg":"Invalid endpoint. Please try again.","data":null}';

const basic = (username: string, apiKey: string) =>
  `Basic ${Buffer.from(`${username}:${apiKey}`).toString("base64")}`;

let sandbox: Sandbox;
let own: string;

function request(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const { auth, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set("authorization", auth ?? own);
  return fetch(`${sandbox.baseUrl}/${path}`, { ...rest, headers });
}

beforeAll(async () => {
  sandbox = await startSandbox();
  own = basic(sandbox.credentials.username, sandbox.credentials.apiKey);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.requests.length = 0;
});

describe("authentication", () => {
  it("accepts the sandbox's own credentials", async () => {
    const res = await request("account");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      http_code: 200,
      response_code: "SUCCESS",
      data: { username: "sandbox", balance: "25.000000" },
    });
    expect(sandbox.requests.at(-1)?.user).toBe("sandbox");
  });

  it("answers a missing header with ClickSend's exact 401 body and no WWW-Authenticate", async () => {
    const res = await request("account", { auth: null });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(UNAUTHORIZED);
    expect(res.headers.get("www-authenticate")).toBeNull();
  });

  it("answers a wrong key or an unknown scheme with the same 401", async () => {
    for (const auth of [basic("sandbox", "WRONG"), basic("nobody", TEST_ACCOUNT_KEY), "Bearer x"]) {
      const res = await request("account", { auth });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(UNAUTHORIZED);
    }
  });

  it("lets the nocredit test account in, with no balance", async () => {
    const res = await request("account", { auth: basic("nocredit", TEST_ACCOUNT_KEY) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { username: string; balance: string } };
    expect(body.data).toMatchObject({ username: "nocredit", balance: "0.000000" });
  });

  it("answers notactive with 401 Authorization failed.", async () => {
    const res = await request("account", { auth: basic("notactive", TEST_ACCOUNT_KEY) });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(UNAUTHORIZED);
  });

  it("answers banned with 403 account suspended", async () => {
    const res = await request("account", { auth: basic("banned", TEST_ACCOUNT_KEY) });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe(SUSPENDED);
  });

  it("serves GET /countries without credentials, or with wrong ones", async () => {
    for (const auth of [null, basic("sandbox", "WRONG")]) {
      const res = await request("countries", { auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ code: string; value: string }> };
      expect(body.data).toContainEqual({ code: "AU", value: "Australia" });
    }
  });

  it("accepts a bearer token only when configured for gateway mode", async () => {
    const gateway = await startSandbox({ prefix: "/clicksend/v3", bearerToken: "tok" });
    try {
      const ok = await fetch(`${gateway.baseUrl}/account`, {
        headers: { authorization: "Bearer tok" },
      });
      expect(ok.status).toBe(200);
      const wrong = await fetch(`${gateway.baseUrl}/account`, {
        headers: { authorization: "Bearer tok2" },
      });
      expect(wrong.status).toBe(401);
      const outside = await fetch(gateway.baseUrl.replace("/clicksend/v3", "/v3/account"), {
        headers: { authorization: "Bearer tok" },
      });
      expect(outside.status).toBe(404);
      expect(gateway.requests.map((r) => r.path)).toEqual(["account", "account"]);
    } finally {
      await gateway.close();
    }
  });
});

describe("routing", () => {
  it("answers an unknown route with 404 Invalid endpoint", async () => {
    const res = await request("no/such/thing");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(INVALID_ENDPOINT);
  });

  it("answers a wrong method on a real path with the same 404", async () => {
    for (const method of ["PUT", "POST", "DELETE"]) {
      const res = await request("account", { method, body: method === "DELETE" ? null : "{}" });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe(INVALID_ENDPOINT);
    }
  });

  it("answers a path outside the API prefix with 404", async () => {
    const res = await fetch(sandbox.baseUrl.replace(/\/v3$/, "/v2/account"), {
      headers: { authorization: own },
    });
    expect(res.status).toBe(404);
  });

  it("tolerates a trailing slash", async () => {
    const res = await request("account/");
    expect(res.status).toBe(200);
  });
});

describe("rate limiting", () => {
  it("sends x-ratelimit-limit, x-ratelimit-remaining and ratelimit-reset", async () => {
    const res = await request("account");
    expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
    expect(res.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
    expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
  });

  it("answers 429 with Retry-After once a route's limit is used up", async () => {
    const limited = await startSandbox({ rateLimit: { limit: 2, windowMs: 30_000 } });
    try {
      const auth = basic(limited.credentials.username, limited.credentials.apiKey);
      const get = (path: string) =>
        fetch(`${limited.baseUrl}/${path}`, { headers: { authorization: auth } });
      const first = await get("account");
      expect(first.headers.get("x-ratelimit-limit")).toBe("2");
      expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
      const second = await get("account");
      expect(second.status).toBe(200);
      expect(second.headers.get("x-ratelimit-remaining")).toBe("0");
      const third = await get("account");
      expect(third.status).toBe(429);
      const retryAfter = Number(third.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
      expect(third.headers.get("ratelimit-reset")).toBe(String(retryAfter));
      expect(await third.json()).toMatchObject({
        http_code: 429,
        response_code: "TOO_MANY_REQUESTS",
      });
      // The limit is per route.
      expect((await get("countries")).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("paginate()", () => {
  const items = Array.from({ length: 31 }, (_, i) => i + 1);
  const url = "http://127.0.0.1:1/v3/things";
  const q = (query: Record<string, string>) => new URLSearchParams(query);

  it("gives the first page with defaults (15 per page)", () => {
    expect(paginate(items, q({}), url)).toEqual({
      total: 31,
      per_page: 15,
      current_page: 1,
      last_page: 3,
      next_page_url: `${url}?page=2`,
      prev_page_url: null,
      from: 1,
      to: 15,
      data: items.slice(0, 15),
    });
  });

  it("gives a middle and a last page with from/to and links", () => {
    expect(paginate(items, q({ page: "2" }), url)).toMatchObject({
      current_page: 2,
      next_page_url: `${url}?page=3`,
      prev_page_url: `${url}?page=1`,
      from: 16,
      to: 30,
    });
    expect(paginate(items, q({ page: "3" }), url)).toMatchObject({
      current_page: 3,
      next_page_url: null,
      prev_page_url: `${url}?page=2`,
      from: 31,
      to: 31,
      data: [31],
    });
  });

  it("clamps limit to 15..100", () => {
    const many = Array.from({ length: 250 }, (_, i) => i);
    expect(paginate(many, q({ limit: "5" }), url).per_page).toBe(15);
    expect(paginate(many, q({ limit: "500" }), url)).toMatchObject({ per_page: 100, last_page: 3 });
    expect(paginate(many, q({ limit: "40" }), url)).toMatchObject({ per_page: 40, last_page: 7 });
    expect(paginate(many, q({ limit: "abc" }), url).per_page).toBe(15);
  });

  it("gives last_page 0 and null from/to when empty", () => {
    expect(paginate([], q({}), url)).toEqual({
      total: 0,
      per_page: 15,
      current_page: 1,
      last_page: 0,
      next_page_url: null,
      prev_page_url: null,
      from: null,
      to: null,
      data: [],
    });
  });

  it("treats a bad page as page 1 and a page past the end as empty", () => {
    expect(paginate(items, q({ page: "0" }), url).current_page).toBe(1);
    expect(paginate(items, q({ page: "x" }), url).current_page).toBe(1);
    expect(paginate(items, q({ page: "9" }), url)).toMatchObject({
      current_page: 9,
      data: [],
      from: null,
      to: null,
      next_page_url: null,
    });
  });
});

describe("request log", () => {
  it("records method, path, query and JSON body, never the Authorization header", async () => {
    await request("lists/7/contacts?page=2&q=first_name:ann", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "probe/1" },
      body: JSON.stringify({ phone_number: "+61411111111" }),
    });
    const record = sandbox.requests.at(-1);
    expect(record).toMatchObject({
      method: "POST",
      path: "lists/7/contacts",
      query: { page: "2", q: "first_name:ann" },
      body: { phone_number: "+61411111111" },
      userAgent: "probe/1",
      contentType: "application/json",
    });
    expect(JSON.stringify(sandbox.requests)).not.toContain(sandbox.credentials.apiKey);
    expect(JSON.stringify(sandbox.requests)).not.toContain(own.slice(6));
  });

  it("answers a body that is not JSON with 400, and logs it", async () => {
    const bad = await fetch(`${sandbox.baseUrl}/account`, {
      method: "POST",
      headers: { authorization: own, "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ response_code: "BAD_REQUEST" });
    expect(sandbox.requests.at(-1)).toMatchObject({ method: "POST", status: 400 });
    expect(sandbox.requests.at(-1)?.body).toBeUndefined();
  });
});

describe("fault injection", () => {
  it("counts down: a fault for 2 requests hits exactly 2", async () => {
    sandbox.faults.inject({ path: "account", times: 2, fault: { type: "status", status: 503 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request("account")).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sandbox.requests.map((r) => r.fault)).toEqual(["status", "status", undefined]);
  });

  it("applies to the matching method and path (string or RegExp) only", async () => {
    // probe/N is no route, so without the fault it answers 404.
    sandbox.faults.inject({
      method: "post",
      path: /^probe\/\d+$/,
      fault: { type: "status", status: 500 },
    });
    expect((await request("probe/5")).status).toBe(404);
    expect((await request("probe/x", { method: "POST", body: "{}" })).status).toBe(404);
    expect((await request("probe/5", { method: "POST", body: "{}" })).status).toBe(500);
    expect((await request("probe/5", { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("sends Retry-After, HTML and empty bodies on request", async () => {
    sandbox.faults.inject({
      path: "account",
      fault: { type: "status", status: 429, retryAfter: 7 },
    });
    const limited = await request("account");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    sandbox.faults.inject({ path: "account", fault: { type: "html" } });
    const html = await request("account");
    expect(html.status).toBe(502);
    expect(html.headers.get("content-type")).toBe("text/html");
    sandbox.faults.inject({ path: "account", fault: { type: "empty" } });
    expect(await (await request("account")).text()).toBe("");
  });

  it("drops the connection", async () => {
    sandbox.faults.inject({ path: "account", fault: { type: "drop" } });
    await expect(request("account")).rejects.toThrow();
    expect(sandbox.requests.at(-1)?.fault).toBe("drop");
  });

  it("FaultInjector.take() counts down and forgets used-up rules", () => {
    const faults = new FaultInjector();
    faults.inject({ path: "a", times: 2, fault: { type: "drop" } });
    faults.inject({ path: "a", fault: { type: "truncated" } });
    expect(faults.take("GET", "b")).toBeUndefined();
    expect(faults.take("GET", "a")?.type).toBe("drop");
    expect(faults.take("GET", "a")?.type).toBe("drop");
    expect(faults.take("GET", "a")?.type).toBe("truncated");
    expect(faults.take("GET", "a")).toBeUndefined();
  });
});

describe("sends as ClickSend answers them", () => {
  const send = async (channel: string, body: unknown) => {
    const res = await request(`${channel}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return ((await res.json()) as { data: { messages: Array<Record<string, unknown>> } }).data
      .messages;
  };

  it("accepts a local-format to with its country, and echoes from_email", async () => {
    const [local, bare] = await send("sms", {
      messages: [
        { to: "0412 345 678", country: "AU", body: "hi", from_email: "shop@example.com" },
        { to: "0412 345 678", body: "hi" },
      ],
    });
    expect(local).toMatchObject({
      to: "+61412345678",
      status: "SUCCESS",
      country: "AU",
      from_email: "shop@example.com",
    });
    expect(bare).toMatchObject({ status: "INVALID_RECIPIENT", to: "0412345678" });
    const kept = sandbox.state.messages.find((m) => m.to === "+61412345678");
    expect(kept?.from_email).toBe("shop@example.com");
  });

  it("gives a voice call's to_type by the number's type", async () => {
    const calls = await send("voice", {
      messages: [
        ["+61412345678", "AU"],
        ["+61298765432", "AU"],
        ["+14155552671", "US"],
        ["+442079460000", "GB"],
      ].map(([to, country]) => ({
        to,
        country,
        custom_string: "t",
        body: "hello",
        voice: "female",
      })),
    });
    expect(calls.map((c) => c.to_type)).toEqual(["mobile", "landline", "mobile", "landline"]);
  });
});
