import type { Sandbox } from "../../sandbox/server.js";

/**
 * One request straight to the sandbox, past the tools: what ClickSend itself answers a body the
 * tools would never send, and the names its answers use.
 */
export async function rawCall(
  sandbox: Pick<Sandbox, "baseUrl" | "credentials">,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { username, apiKey } = sandbox.credentials;
  const answer = await fetch(`${sandbox.baseUrl}/${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${apiKey}`).toString("base64")}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}
