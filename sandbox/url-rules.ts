/**
 * URL-action automation rules, as ClickSend runs them (clicksend-api.md §5.7): each reply or
 * receipt that arrives is POSTed to the address of every enabled URL rule of its kind (an
 * inbound rule only when it matches the reply). Inbound rules post JSON when their
 * webhook_type is `json`, form-encoded otherwise; receipt rules post form-encoded. A receipt
 * carries `status` (Delivered or Undelivered) and `user_id`, as ClickSend's pushes do. A post
 * that fails is dropped, as a sandbox has nobody to retry for.
 */
import { inboundRuleMatches, takeArrivals } from "./replies.js";
import type { SandboxState } from "./state.js";

const POST_TIMEOUT_MS = 5000;

interface Post {
  url: string;
  json: boolean;
  fields: Record<string, unknown>;
}

const enabledUrl = (rule: { action: string; enabled: number }) =>
  rule.action === "URL" && rule.enabled === 1;

/** The posts what arrived since the last call calls for. */
function postsOf(state: SandboxState): Post[] {
  return takeArrivals(state).flatMap((arrival): Post[] => {
    const rules = state.rulesOf(arrival.user_id);
    if (arrival.kind === "inbound") {
      const { item } = arrival;
      return rules.inbound
        .filter((rule) => enabledUrl(rule) && inboundRuleMatches(rule, item))
        .map((rule) => ({
          url: rule.action_address,
          json: rule.webhook_type === "json",
          fields: { ...item, user_id: arrival.user_id },
        }));
    }
    const { item } = arrival;
    const status = item.status_code === "201" ? "Delivered" : "Undelivered";
    return rules.receipts.filter(enabledUrl).map((rule) => ({
      url: rule.action_address,
      json: false,
      fields: { ...item, status, user_id: arrival.user_id },
    }));
  });
}

async function post({ url, json, fields }: Post): Promise<void> {
  const body = json
    ? JSON.stringify(fields)
    : new URLSearchParams(
        Object.entries(fields).map(([k, v]): [string, string] => [
          k,
          v === null || v === undefined ? "" : String(v),
        ]),
      ).toString();
  try {
    await fetch(url, {
      method: "POST",
      headers: {
        "content-type": json ? "application/json" : "application/x-www-form-urlencoded",
      },
      body,
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch {
    // Unreachable, refused or slow: dropped.
  }
}

/** Posts what arrived to the URL rules; settles when every post has been answered or dropped. */
export async function pushArrivals(state: SandboxState): Promise<void> {
  await Promise.all(postsOf(state).map(post));
}
