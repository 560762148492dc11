import type { McpServerFactory } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { catalogue } from "../tools/index.js";
import { bindClient, type ClickSendClient, createClickSendClient } from "./client/client.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import type { OAuthConfig } from "./oauth/config.js";
import { personOf } from "./oauth/person.js";
import type { OAuthStateOptions } from "./oauth/protect.js";
import { SCOPE_RULE } from "./oauth/scopes.js";
import { servedToolsets } from "./protocol/selection.js";
import { createServer, type ServerOptions } from "./protocol/server.js";
import { PushHub } from "./push/hub.js";
import { type Changes, startWatcher, type Watcher } from "./push/watcher.js";
import { keepOptedOut } from "./sending/opt-out-replies.js";
import { createSendingPolicy, type SendingPolicy } from "./sending/policy.js";
import type { Handover } from "./startup/early-answers.js";
import { prebuiltListing } from "./startup/listing.js";
import { accountScope, openSendStore } from "./state/open.js";
import type { HostLink } from "./transport/host-link.js";
import { writeStderr } from "./transport/stderr.js";
import { StdioTransport } from "./transport/stdio.js";
import { NAME } from "./version.js";

/**
 * Once it must exit, the process is gone within this, whatever is still pending: a host that
 * went away waits for nobody.
 */
const EXIT_DEADLINE_MS = 800;

/**
 * Serving, once the configuration is read: everything a start loads after the early answers
 * (early-answers.ts), the SDK, zod and the catalogue included. Over stdio, `host` is the link to
 * the host (stdout, and the early answers' handover); over HTTP it is undefined.
 */
export async function serve(
  config: Config,
  host?: HostLink & { early: Handover | undefined },
): Promise<void> {
  const logger = createLogger(config.logLevel);
  let { baseUrl, auth } = config;
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.sandbox) {
    // Loaded only when asked for, so a normal start does not pay for the simulator.
    const { startSandbox } = await import("../sandbox/server.js");
    // Its URL rules post to their addresses, this server's webhook included (--http).
    const sandbox = await startSandbox({ urlRules: true });
    baseUrl = sandbox.baseUrl;
    auth = { kind: "basic", ...sandbox.credentials };
    closeSandbox = sandbox.close;
    writeStderr(
      `${NAME}: sandbox mode: simulated ClickSend at ${sandbox.baseUrl}; nothing is really sent.\n`,
    );
  }
  const client = createClickSendClient({ baseUrl, auth, timeoutMs: config.timeoutMs, logger });
  const store = await openSendStore({
    stateDir: config.sending.stateDir,
    redisUrl: config.sending.redisUrl,
    sandbox: config.sandbox,
    scope: accountScope(auth, baseUrl),
    env: process.env,
  });
  logger.debug(`send state: ${store.kind} at ${store.location}`);
  const sending = createSendingPolicy(config.sending, store);
  // The reply watcher runs over stdio only, and only when asked for (--watch-replies).
  const watching = !config.http && host && config.watchRepliesS !== undefined;
  const push = watching ? new PushHub(logger) : undefined;
  const newServer = serverFactory(
    config,
    client,
    logger,
    sending,
    answerSecretOf(auth, baseUrl),
    push,
  );
  let watcher: Watcher | undefined;

  let closeTransport: () => Promise<unknown> = async () => {};
  let exiting = false;
  /**
   * Over HTTP the server stops taking requests and gives those under way their grace period
   * (http.ts). Over stdio nobody can read an answer any more, so nothing waits: past the deadline
   * the process exits regardless. Sends still awaiting ClickSend's answer then are settled as
   * maybe sent, and the store and the rest close.
   */
  const exit = (reason: string) => {
    if (exiting) return;
    exiting = true;
    logger.debug(`exiting: ${reason}`);
    if (!config.http) setTimeout(() => process.exit(0), EXIT_DEADLINE_MS);
    watcher?.stop();
    const step = (promise: Promise<unknown> | undefined) => promise?.catch(() => {});
    void (async () => {
      // Over stdio there is nobody left to close the connection with, and the sandbox lives in
      // this process: only the send state must be left right.
      if (config.http) await step(closeTransport());
      await step(sending.inFlight.abandonAll());
      await step(store.close());
      if (config.http) await step(closeSandbox?.());
      process.exit(0);
    })();
  };
  process.on("SIGINT", () => exit("SIGINT"));
  process.on("SIGTERM", () => exit("SIGTERM"));

  if (config.http) {
    // Loaded only with --http: stdio start-up does not pay for the HTTP stack.
    const { startHttpServer } = await import("./transport/http.js");
    const { webhookSecret, oauth, ...httpConfig } = config.http;
    const pushed = webhookSecret
      ? await openWebhook(webhookSecret, client, sending, logger, {
          url: config.sending.redisUrl,
          scope: accountScope(auth, baseUrl),
        })
      : undefined;
    const oauthRoutes =
      oauth &&
      (await protectWith(oauth, logger, {
        stateDir: config.sending.stateDir,
        redisUrl: config.sending.redisUrl,
        sandbox: config.sandbox,
        scope: accountScope(auth, baseUrl),
        env: process.env,
      }));
    const http = await startHttpServer({
      ...httpConfig,
      createServer: newServer,
      logger,
      ...(pushed ? { bus: pushed.bus, webhook: pushed.webhook } : {}),
      ...(oauthRoutes ? { oauth: oauthRoutes } : {}),
    });
    closeTransport = async () => {
      await http.close();
      await pushed?.close();
    };
    const token = config.http.token ? "bearer token" : undefined;
    const access = oauth
      ? ` (OAuth access tokens from ${oauth.issuer === "builtin" ? "the built-in authorization server" : oauth.issuer} for ${oauth.publicUrl ?? http.url}${
          token ? `, or the ${token}` : ""
        })`
      : token
        ? ` (${token} required)`
        : "";
    writeStderr(`${NAME}: serving MCP over Streamable HTTP at ${http.url}${access}\n`);
  } else if (host) {
    // One connection, pinned to the protocol generation the host opens it with.
    const transport = new StdioTransport(logger, undefined, host.stdout, undefined, host.early);
    const connection = serveStdio(newServer, { transport });
    closeTransport = () => connection.close();
    host.onGone(exit);
    const source = catalogue.replies;
    if (push && source && config.watchRepliesS !== undefined) {
      watcher = startWatcher({
        intervalMs: config.watchRepliesS * 1000,
        source,
        client,
        logger,
        deliver: async (changes: Changes) => {
          // Kept at once, as reading them with list_inbound_sms does: the next send is refused.
          await keepOptedOut(
            sending.store,
            logger,
            changes.replies.flatMap((r) => (r.optOut && r.number ? [r.number] : [])),
          );
          await push.deliver(changes);
        },
      });
      logger.debug(`reply watcher: every ${config.watchRepliesS} s while the host is connected`);
    }
  }
}

/** With --oauth: the resource server, checking tokens and scopes (loaded only then). */
async function protectWith(oauth: OAuthConfig, logger: Logger, state: OAuthStateOptions) {
  const { oauthRoutesFor } = await import("./oauth/protect.js");
  const readOnly = new Map(catalogue.tools.map((t) => [t.name, t.annotations.readOnlyHint]));
  return oauthRoutesFor(oauth, readOnly, logger, state);
}

/**
 * Over HTTP with CLICKSEND_WEBHOOK_SECRET: the inbox the webhook feeds, and the event bus the
 * HTTP handler's subscriptions/listen streams read (shared across instances through Redis when
 * CLICKSEND_REDIS_URL is set). Loaded only then.
 */
async function openWebhook(
  secret: string,
  client: ClickSendClient,
  sending: SendingPolicy,
  logger: Logger,
  redis: { url: string | undefined; scope: string },
) {
  const [{ InMemoryServerEventBus }, { openInbox }] = await Promise.all([
    import("@modelcontextprotocol/server"),
    import("./push/inbox.js"),
  ]);
  const bus = new InMemoryServerEventBus();
  const source = catalogue.replies;
  // Receipts do not say whom a message went to: one history page finds out (bounded in time).
  const lookups = new AbortController();
  const reader = bindClient(client, lookups.signal);
  const inbox = await openInbox({
    bus,
    logger,
    recipient: async (receipt) =>
      source
        ? (await source.recipients(reader, [{ id: receipt.id, sentAt: receipt.sentAt }])).get(
            receipt.id,
          )
        : undefined,
    optOut: (number) => keepOptedOut(sending.store, logger, [number]),
    ...(redis.url ? { redis: { url: redis.url, scope: redis.scope } } : {}),
  });
  const close = () => {
    lookups.abort();
    return inbox.close();
  };
  return { bus, webhook: { secret, accept: inbox.accept }, close };
}

/**
 * What processes serving one account share to sign their questions' state: its credentials,
 * which only they hold (never written anywhere; a key is derived from them).
 */
function answerSecretOf(auth: Config["auth"], baseUrl: string): string | undefined {
  if (auth.kind === "basic") return `${baseUrl}\n${auth.username}:${auth.apiKey}`;
  if (auth.kind === "bearer") return `${baseUrl}\n${auth.token}`;
  return undefined;
}

/**
 * The one way this process makes an MCP Server, for stdio (once) and HTTP (per request). State
 * that must outlive a request (the client, the logger, the client's log level, operator guards)
 * is created here once; each call makes only the Server.
 */
export function serverFactory(
  config: Config,
  client: ClickSendClient,
  logger: Logger,
  sending: SendingPolicy,
  answerSecret: string | undefined,
  push: PushHub | undefined,
): McpServerFactory {
  const { tools, toolsets, resources } = catalogue;
  // Over OAuth the rule for scopes is said once, not in every tool's listing (docs/http.md).
  const instructions: typeof catalogue.instructions = config.http?.oauth
    ? (served) => `${catalogue.instructions(served)} ${SCOPE_RULE}`
    : catalogue.instructions;
  const options: ServerOptions = {
    sandbox: config.sandbox,
    readOnly: config.readOnly,
    toolsets: servedToolsets(config.toolsets, toolsets),
    logger,
    clientLogLevel: { level: config.logLevel },
    sending,
    ...(answerSecret ? { answerSecret } : {}),
    ...(push ? { push } : {}),
    ...(config.http?.webhookSecret ? { webhookSecret: config.http.webhookSecret } : {}),
  };
  return ({ era, authInfo }) => {
    // Over HTTP with OAuth, the verified token's person; none over stdio or the static token.
    const person = personOf(authInfo);
    return createServer({
      client,
      tools,
      instructions,
      resources,
      options: person ? { ...options, person } : options,
      listing: prebuiltListing,
      era,
    });
  };
}
