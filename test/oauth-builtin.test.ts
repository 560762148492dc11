/**
 * The built-in authorization server (CLICKSEND_MCP_OAUTH_ISSUER=builtin) in process: discovery,
 * dynamic registration and Client ID Metadata Documents, the code flow with PKCE through the
 * consent page, driven by oauth4webapi; the JWT access tokens it issues, checked with jose
 * against the issuer's own getKey.
 */
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { memoryOAuthStore } from "../src/state/oauth-memory.js";
import type { OAuthStore } from "../src/state/oauth-store.js";
import {
  ANA,
  authorizationUrl,
  codeFlow,
  consent,
  discover,
  insecure,
  RUI,
  type RunningIssuer,
  registerPublicClient,
  startIssuer,
  writePeopleFile,
} from "./support/builtin-issuer.js";

let people: string;
const running: RunningIssuer[] = [];
const stores: OAuthStore[] = [];

beforeAll(async () => {
  people = await writePeopleFile();
});

afterEach(async () => {
  for (const issuer of running.splice(0)) await issuer.close();
  for (const store of stores.splice(0)) await store.close();
});

async function start(
  options: { store?: OAuthStore; allowPrivateClients?: boolean } = {},
): Promise<RunningIssuer> {
  const store = options.store ?? memoryOAuthStore();
  if (!options.store) stores.push(store);
  const issuer = await startIssuer({ store, people, ...options });
  running.push(issuer);
  return issuer;
}

async function verify(issuer: RunningIssuer, token: string) {
  return jose.jwtVerify(token, issuer.issuer.getKey, {
    issuer: issuer.base,
    audience: issuer.resource,
    typ: "at+jwt",
  });
}

describe("discovery", () => {
  it.each([
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
  ])("%s names what MCP clients need", async (path) => {
    const { base } = await start();
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      registration_endpoint: `${base}/oauth/register`,
      jwks_uri: `${base}/oauth/jwks`,
      revocation_endpoint: `${base}/oauth/revoke`,
      client_id_metadata_document_supported: true,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      response_types_supported: ["code"],
    });
    expect(metadata.token_endpoint_auth_methods_supported).toContain("none");
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(["clicksend:read", "clicksend:send"]),
    );
  });
});

describe("dynamic registration and the code flow", () => {
  it("issues a JWT access token for the resource, with the person's name", async () => {
    const issuer = await start();
    const as = await discover(issuer.base);
    const client = await registerPublicClient(as);
    expect(client.token_endpoint_auth_method).toBe("none");
    const tokens = await codeFlow(as, client, ANA, {
      resource: issuer.resource,
      scope: "clicksend:read clicksend:send",
    });
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const { payload, protectedHeader } = await verify(issuer, tokens.access_token);
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({
      iss: issuer.base,
      aud: issuer.resource,
      sub: "ana",
      name: ANA.name,
      scope: "clicksend:read clicksend:send",
      client_id: client.client_id,
    });
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
  });
});
