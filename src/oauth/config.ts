/**
 * OAuth in HTTP mode (`--oauth ISSUER` / CLICKSEND_MCP_OAUTH_ISSUER): which authorization server
 * issues the access tokens this server accepts, and the public URL they are bound to. Read by
 * config.ts's parseHttp; problems name the variable, never a value that could be a secret.
 */
import { isLoopback } from "../loopback.js";

export const OAUTH_FLAG = "--oauth";
/** The issuer value that selects the built-in authorization server. */
export const BUILTIN_ISSUER = "builtin";

export interface OAuthConfig {
  /** `builtin`, or the external authorization server's issuer identifier (an https URL). */
  issuer: string;
  /**
   * CLICKSEND_MCP_PUBLIC_URL: this server's MCP endpoint as clients reach it (the tokens'
   * audience and the metadata's `resource`). Unset only on loopback: the bound URL then.
   */
  publicUrl?: string;
  /** CLICKSEND_MCP_OAUTH_AUDIENCE: the `aud` to expect when an IdP cannot put the public URL there. */
  audience?: string;
  /** CLICKSEND_MCP_OAUTH_USERS (builtin only): the people file. */
  usersFile?: string;
  /** CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS=1 (builtin only): metadata documents on private addresses. */
  allowPrivateClients: boolean;
}

export const OAUTH_HELP = `  --oauth ISSUER       over --http, accept OAuth access tokens from this issuer (an https URL),
                       or "builtin" for the built-in authorization server`;

export const OAUTH_ENV_HELP = `  CLICKSEND_MCP_OAUTH_ISSUER              --oauth as a variable
  CLICKSEND_MCP_PUBLIC_URL                with OAuth, this server's public MCP URL (the tokens'
                                          audience); required off loopback
  CLICKSEND_MCP_OAUTH_AUDIENCE            the audience tokens carry, when not the public URL
  CLICKSEND_MCP_OAUTH_USERS               builtin issuer: the file of people who may sign in
  CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS=1
                                          builtin issuer: fetch client metadata documents from
                                          private addresses too`;

type Env = Record<string, string | undefined>;

const truthy = (value: string | undefined) =>
  value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());

/**
 * An https URL, or http on loopback, without credentials or a fragment (and, for the public
 * URL, without a query): undefined and a problem otherwise.
 */
function parseSecureUrl(
  raw: string,
  name: string,
  problems: string[],
  { query = false } = {},
): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} is not a valid URL`);
    return undefined;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    problems.push(`${name} must use https (plain http only on loopback)`);
    return undefined;
  }
  if (url.username || url.password || url.hash || (!query && url.search)) {
    problems.push(`${name} must not contain credentials${query ? "" : ", a query"} or a fragment`);
    return undefined;
  }
  return url;
}

/**
 * The OAuth settings, or undefined when OAuth is off. `http` says whether --http was given; off
 * HTTP the flag is refused and the variables are ignored, as the webhook secret is.
 */
export function parseOAuth(
  flags: Map<string, string | true>,
  env: Env,
  http: { host: string } | undefined,
  problems: string[],
): OAuthConfig | undefined {
  const flag = flags.get(OAUTH_FLAG);
  if (!http) {
    if (flag !== undefined) problems.push(`${OAUTH_FLAG} needs --http`);
    return undefined;
  }
  const [source, raw] =
    typeof flag === "string"
      ? [OAUTH_FLAG, flag]
      : ["CLICKSEND_MCP_OAUTH_ISSUER", env.CLICKSEND_MCP_OAUTH_ISSUER];
  const issuer = raw?.trim();
  if (!issuer) return undefined;
  const builtin = issuer === BUILTIN_ISSUER;
  // Discovery must reach the same issuer the tokens name: no query there either (RFC 8414).
  if (!builtin) parseSecureUrl(issuer, source, problems);

  const publicRaw = env.CLICKSEND_MCP_PUBLIC_URL?.trim() || undefined;
  const publicUrl =
    publicRaw === undefined
      ? undefined
      : parseSecureUrl(publicRaw, "CLICKSEND_MCP_PUBLIC_URL", problems)?.href;
  if (publicRaw === undefined && !isLoopback(http.host)) {
    problems.push(
      `--host ${http.host} is reachable from other machines: with OAuth, set CLICKSEND_MCP_PUBLIC_URL to the URL clients use`,
    );
  }
  const audience = env.CLICKSEND_MCP_OAUTH_AUDIENCE?.trim() || undefined;
  const usersFile = env.CLICKSEND_MCP_OAUTH_USERS?.trim() || undefined;
  const allowPrivateClients = truthy(env.CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS);
  if (builtin && usersFile === undefined) {
    problems.push(
      "CLICKSEND_MCP_OAUTH_USERS is required with the built-in issuer: the file of people who may sign in",
    );
  }
  if (!builtin && usersFile !== undefined) {
    problems.push(
      "CLICKSEND_MCP_OAUTH_USERS is for the built-in issuer: an external issuer decides who signs in",
    );
  }
  if (!builtin && allowPrivateClients) {
    problems.push("CLICKSEND_MCP_OAUTH_ALLOW_PRIVATE_CLIENTS is for the built-in issuer only");
  }
  return {
    issuer,
    ...(publicUrl ? { publicUrl } : {}),
    ...(audience ? { audience } : {}),
    ...(usersFile ? { usersFile } : {}),
    allowPrivateClients,
  };
}
