/**
 * /oauth/interaction/<uid>: where oidc-provider sends a person to sign in and approve. GET shows
 * the consent page; POST either denies (access_denied goes back to the client) or checks the
 * username and password against the people file and, when they match, records a Grant of the
 * asked scopes the person may give and hands the flow back to oidc-provider, which answers the
 * client with a code.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors, type Provider } from "oidc-provider";
import type { Logger } from "../../logger.js";
import { consentPage, messagePage, sendPage } from "./pages.js";
import { verifyPassword } from "./passwords.js";
import { type IssuedScope, isIssuedScope, type PersonEntry } from "./people.js";
import type { SignInBackoff } from "./sign-in-backoff.js";

export const INTERACTION_PREFIX = "/oauth/interaction/";
const MAX_FORM_BYTES = 8 * 1024;
/** OpenID scopes a client may ask for beside the resource's, granted as asked. */
const OIDC_SCOPES = new Set(["openid", "offline_access"]);

export interface InteractionContext {
  provider: Provider;
  resource: string;
  people: Map<string, PersonEntry>;
  backoff: SignInBackoff;
  logger: Logger;
}

type Details = Awaited<ReturnType<Provider["interactionDetails"]>>;

class FormTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function askedScopes(details: Details): { issued: IssuedScope[]; oidc: string[] } {
  const asked = String(details.params.scope ?? "").split(" ");
  return {
    issued: asked.filter(isIssuedScope),
    oidc: asked.filter((scope) => OIDC_SCOPES.has(scope)),
  };
}

export async function serveInteraction(
  context: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { provider } = context;
  let details: Details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    // No interaction cookie, or an interaction that has ended: anything else is a fault.
    if (!(error instanceof errors.SessionNotFound)) throw error;
    return sendPage(
      res,
      400,
      messagePage("This sign-in has expired", "Start again from the app that sent you here."),
    );
  }
  const uid = new URL(req.url ?? "/", "http://x").pathname.slice(INTERACTION_PREFIX.length);
  if (uid !== details.uid) {
    return sendPage(res, 400, messagePage("Wrong sign-in page", "Start again from the app."));
  }
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);
  if (!client) {
    return sendPage(res, 400, messagePage("Unknown app", "The app is no longer registered."));
  }
  const asked = askedScopes(details);
  const render = (status: number, extra: { username?: string; error?: string } = {}) =>
    sendPage(
      res,
      status,
      consentPage({
        action: `${INTERACTION_PREFIX}${details.uid}`,
        clientId,
        clientName: client.clientName,
        redirectUri: String(details.params.redirect_uri),
        scopes: asked.issued,
        ...extra,
      }),
    );

  if (req.method === "GET") return render(200);
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "GET, POST" }).end();
    return;
  }
  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch (error) {
    if (error instanceof FormTooLarge) return void res.writeHead(413).end();
    throw error;
  }
  if (form.get("action") === "deny") {
    context.logger.info(`OAuth: sign-in for client ${clientId} denied`);
    return provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "the person denied the request" },
      { mergeWithLastSubmission: false },
    );
  }
  const username = (form.get("username") ?? "").trim();
  const password = form.get("password") ?? "";
  const person = context.people.get(username);
  const waitMs = context.backoff.waitMs(username);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    return render(429, {
      username,
      error: `Too many wrong passwords: try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
    });
  }
  // Checked even for an unknown username, so the time taken does not tell which ones exist.
  const passwordMatches = await verifyPassword(password, person?.password);
  if (!person || !passwordMatches) {
    context.backoff.failed(username);
    // An unknown username is not logged: it may be a password typed in the wrong field.
    const who = person ? username : "an unknown username";
    context.logger.warn(`OAuth: failed sign-in as ${who} for client ${clientId}`);
    return render(401, { username, error: "Wrong username or password." });
  }
  context.backoff.succeeded(username);
  const granted = asked.issued.filter((scope) => person.scopes.includes(scope));
  if (granted.length === 0) {
    return render(403, {
      username,
      error: `${person.name} may not give any of the access this app asks for.`,
    });
  }
  const grant = new provider.Grant({ accountId: username, clientId });
  // The resource's scopes are among the provider's scopes too (configuration.ts): granted and
  // refused as both, or the provider would ask again for the part not granted.
  grant.addOIDCScope([...asked.oidc, ...granted].join(" "));
  grant.addResourceScope(context.resource, granted.join(" "));
  const refused = asked.issued.filter((scope) => !granted.includes(scope));
  if (refused.length > 0) {
    grant.rejectOIDCScope(refused.join(" "));
    grant.rejectResourceScope(context.resource, refused.join(" "));
  }
  const grantId = await grant.save();
  context.logger.info(
    `OAuth: ${username} signed in and allowed client ${clientId}: ${granted.join(" ")}`,
  );
  return provider.interactionFinished(
    req,
    res,
    { login: { accountId: username }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}
