/**
 * The built-in authorization server in this process, mounted on a node http server on a free
 * loopback port (issuer http://127.0.0.1:PORT, resource …/mcp), with a people file of its own,
 * and an OAuth client (oauth4webapi) that registers and runs the code flow through the consent
 * page with a Browser.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as oauth from "oauth4webapi";
import { type Logger, silentLogger } from "../../src/logger.js";
import { type BuiltinIssuer, startBuiltinIssuer } from "../../src/oauth/builtin/index.js";
import { hashPassword } from "../../src/oauth/builtin/passwords.js";
import type { IssuedScope, PersonEntry } from "../../src/oauth/builtin/people.js";
import type { OAuthStore } from "../../src/state/oauth-store.js";
import { Browser, type Stop } from "./oauth-browser.js";

export const insecure = { [oauth.allowInsecureRequests]: true } as const;

export interface TestPerson {
  username: string;
  name: string;
  password: string;
  scopes: IssuedScope[];
}

export const ANA: TestPerson = {
  username: "ana",
  name: "Ana <b>Silva</b>",
  password: "correct horse battery",
  scopes: ["clicksend:read", "clicksend:send"],
};
export const RUI: TestPerson = {
  username: "rui",
  name: "Rui Costa",
  password: "reader's password",
  scopes: ["clicksend:read"],
};

/** A people file with these people, in a fresh temporary directory. */
export async function writePeopleFile(people: TestPerson[] = [ANA, RUI]): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "cs-people-")), "people.json");
  const entries: PersonEntry[] = await Promise.all(
    people.map(async ({ password, ...rest }) => ({
      ...rest,
      password: await hashPassword(password),
    })),
  );
  writeFileSync(file, JSON.stringify({ people: entries }), { mode: 0o600 });
  return file;
}

export interface RunningIssuer {
  /** The issuer: its own origin unless it was given another (instances behind one name). */
  base: string;
  /** Where this instance listens. */
  listening: string;
  resource: string;
  issuer: BuiltinIssuer;
  close(): Promise<void>;
}

/** Listens first (the issuer needs its own port), then starts the issuer behind it. */
export async function startIssuer(options: {
  store: OAuthStore;
  people: string;
  allowPrivateClients?: boolean;
  port?: number;
  issuer?: string;
  logger?: Logger;
  now?: () => number;
  registrationsPerHour?: number;
}): Promise<RunningIssuer> {
  let issuer: BuiltinIssuer | undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (!issuer?.owns(path)) return void res.writeHead(404).end();
    issuer.serve(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const listening = `http://127.0.0.1:${port}`;
  const base = options.issuer ?? listening;
  const resource = `${base}/mcp`;
  issuer = await startBuiltinIssuer({
    issuer: base,
    resource,
    people: options.people,
    allowPrivateClients: options.allowPrivateClients ?? false,
    store: options.store,
    logger: options.logger ?? silentLogger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.registrationsPerHour ? { registrationsPerHour: options.registrationsPerHour } : {}),
  });
  const running = issuer;
  return {
    base,
    listening,
    resource,
    issuer: running,
    async close() {
      await running.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function discover(base: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(base);
  const response = await oauth.discoveryRequest(url, { algorithm: "oauth2", ...insecure });
  return oauth.processDiscoveryResponse(url, response);
}

export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/**
 * A client registered by RFC 7591 dynamic registration, with refresh tokens: public unless
 * another token endpoint auth method is named.
 */
export async function registerPublicClient(
  as: oauth.AuthorizationServer,
  tokenEndpointAuthMethod = "none",
): Promise<oauth.Client> {
  const response = await oauth.dynamicClientRegistrationRequest(
    as,
    {
      client_name: "Test <client>",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: tokenEndpointAuthMethod,
    },
    insecure,
  );
  return oauth.processDynamicClientRegistrationResponse(response);
}

/** How the client authenticates at the token endpoint, from its registration. */
export function clientAuth(client: oauth.Client): oauth.ClientAuth {
  const secret = typeof client.client_secret === "string" ? client.client_secret : undefined;
  if (secret && client.token_endpoint_auth_method === "client_secret_post") {
    return oauth.ClientSecretPost(secret);
  }
  if (secret) return oauth.ClientSecretBasic(secret);
  return oauth.None();
}

export interface Authorization {
  state: string;
  verifier: string;
  url: URL;
}

/** The authorization request URL (PKCE S256, a state), with extra parameters. */
export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  params: Record<string, string> = {},
  redirectUri = REDIRECT_URI,
): Promise<Authorization> {
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(as.authorization_endpoint ?? "");
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: "code",
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    ...params,
  }).toString();
  return { state, verifier, url };
}

/** Opens the authorization URL and signs in on the consent page with this answer. */
export async function consent(
  base: string | string[],
  url: URL,
  answer: { username?: string; password?: string; action: "approve" | "deny" },
): Promise<{ page: Stop; result: Stop }> {
  const browser = new Browser(base);
  const page = await browser.go(url);
  if (!page.html) throw new Error(`no consent page: ${page.status} ${page.redirect}`);
  const result = await browser.submit(page.html, {
    username: answer.username ?? "",
    password: answer.password ?? "",
    action: answer.action,
  });
  return { page, result };
}

export interface Tokens {
  response: oauth.TokenEndpointResponse;
  client: oauth.Client;
}

/** The whole code flow for a person who approves; returns the token response. */
export async function codeFlow(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  person: TestPerson,
  options: {
    resource: string;
    scope?: string;
    /**
     * The origins the browser goes to, the authorization request to the first (default: the
     * issuer's): instances that share one issuer name.
     */
    origins?: string[];
  },
): Promise<oauth.TokenEndpointResponse> {
  const auth = await authorizationUrl(as, client, {
    resource: options.resource,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const [authorizeAt] = options.origins ?? [];
  if (authorizeAt) auth.url = new URL(`${auth.url.pathname}${auth.url.search}`, authorizeAt);
  const { result } = await consent(options.origins ?? as.issuer, auth.url, {
    username: person.username,
    password: person.password,
    action: "approve",
  });
  if (!result.redirect) throw new Error(`no redirect: ${result.status}\n${result.html}`);
  const params = oauth.validateAuthResponse(as, client, result.redirect, auth.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth(client),
    params,
    REDIRECT_URI,
    auth.verifier,
    { additionalParameters: { resource: options.resource }, ...insecure },
  );
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

/** A refresh token grant (with the client's own authentication), its response checked. */
export async function refresh(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  refreshToken: string,
  resource?: string,
): Promise<oauth.TokenEndpointResponse> {
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    clientAuth(client),
    refreshToken,
    { ...(resource ? { additionalParameters: { resource } } : {}), ...insecure },
  );
  return oauth.processRefreshTokenResponse(as, client, response);
}
