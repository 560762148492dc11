/**
 * ctx.askUser over MCP elicitation, in both generations. A 2026-07-28 client gets input_required
 * and retries the call with the answer and a signed requestState naming the question's subject
 * and token. A 2025 client on a connection gets elicitation/create from this server, which waits
 * at most the question's lifetime (or until the host cancels the call) and runs the call again
 * with the answer. Either way the answer counts only for its subject, and the tool spends the
 * question's token in the send store, so an answer is used once by every process sharing it.
 */
import { hkdfSync, randomBytes } from "node:crypto";
import {
  acceptedContent,
  type ClientCapabilities,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type ProtocolEra,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import type { Action, AskUser, Question } from "./ask-user.js";
import { clientCapabilitiesOf } from "./client-capabilities.js";

const KEY = "confirm";
const Confirmation = z.object({ send: z.boolean() });
const REQUESTED_SCHEMA = {
  type: "object" as const,
  properties: { send: { type: "boolean" as const, title: "Send it", default: false } },
  required: ["send"],
};

interface AskedState {
  subject: string;
  token: string;
}

/**
 * The state's signature only keeps a client from editing what it carries; the send store decides
 * whether the token is still good (its lifetime, its single use), so the state may outlive it.
 */
const STATE_TTL_S = 24 * 60 * 60;

const codecs = new Map<string, ReturnType<typeof createRequestStateCodec<AskedState>>>();

/**
 * The codec for requestStates. Processes and instances that share a secret (derived from the
 * account's credentials) verify each other's states, so a retry may reach any of them; without
 * one, each process has its own key.
 */
export function answerCodec(secret?: string) {
  const id = secret ?? "";
  let codec = codecs.get(id);
  if (!codec) {
    const key = secret
      ? Buffer.from(hkdfSync("sha256", secret, "clicksend-mcp", "request state", 32))
      : randomBytes(32);
    codec = createRequestStateCodec<AskedState>({
      key,
      ttlSeconds: STATE_TTL_S,
      bind: (ctx) => ctx.mcpReq.method,
    });
    codecs.set(id, codec);
  }
  return codec;
}

/**
 * Whether the host can put a form in front of its user for this call: it declared elicitation
 * (form mode; a bare declaration means form), and, for a 2025 client, it is on a connection the
 * server can send a request back over (stateless HTTP has none).
 */
export function canElicit(era: ProtocolEra, server: Server, extra: ServerContext): boolean {
  // A 2025 client over stateless HTTP has no connection the question could travel back on.
  if (era === "legacy" && extra.http !== undefined) return false;
  return formMode(clientCapabilitiesOf(era, server, extra)?.elicitation);
}

function formMode(elicitation: ClientCapabilities["elicitation"]): boolean {
  if (!elicitation) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/** The action of an elicitation result: an accept without `send: true` is a no. */
function actionOf(action: string, accepted: { send: boolean } | undefined): Action {
  if (action === "accept") return accepted?.send === true ? "accept" : "decline";
  return action === "decline" ? "decline" : "cancel";
}

/** askUser for a 2026-07-28 call: the answer its retry carries, about its own subject only. */
export function modernAskUser(extra: ServerContext): AskUser {
  return {
    answerFor(subject) {
      const state = extra.mcpReq.requestState<AskedState>();
      if (state?.subject !== subject || typeof state.token !== "string") return undefined;
      const view = inputResponse(extra.mcpReq.inputResponses, KEY);
      if (view.kind !== "elicit") return undefined;
      const accepted = acceptedContent(extra.mcpReq.inputResponses, KEY, Confirmation);
      return { action: actionOf(view.action, accepted), token: state.token };
    },
  };
}

/** askUser for a 2025 call run again with the answer this server got over the connection. */
export function givenAskUser(given?: { subject: string; action: Action; token: string }): AskUser {
  return {
    answerFor: (subject) =>
      given?.subject === subject ? { action: given.action, token: given.token } : undefined,
  };
}

/** The question as the protocol's request for input (2026-07-28). */
export async function inputRequiredFor(
  question: Question,
  extra: ServerContext,
  codec: ReturnType<typeof answerCodec>,
): Promise<InputRequiredResult> {
  return inputRequired({
    inputRequests: {
      [KEY]: inputRequired.elicit({ message: question.message, requestedSchema: REQUESTED_SCHEMA }),
    },
    requestState: await codec.mint({ subject: question.subject, token: question.token }, extra),
  });
}

/** Why a question asked over a 2025 connection got no answer. */
export class Unanswered extends Error {
  constructor(readonly why: "timeout" | "cancelled" | "failed") {
    super(`the question got no answer (${why})`);
    this.name = "Unanswered";
  }
}

/**
 * Asks over a 2025 connection (elicitation/create) and waits at most waitMs, or until the host
 * cancels the call. The answer is read here with zod, so the SDK's JSON Schema check is not used.
 */
export async function askOverConnection(
  question: Question,
  extra: ServerContext,
  waitMs: number,
): Promise<Action> {
  const signal = extra.mcpReq.signal;
  try {
    const result = await extra.mcpReq.send(
      {
        method: "elicitation/create",
        params: { mode: "form", message: question.message, requestedSchema: REQUESTED_SCHEMA },
      },
      { timeout: waitMs, signal },
    );
    const accepted = Confirmation.safeParse(result.content);
    return actionOf(result.action, accepted.success ? accepted.data : undefined);
  } catch (error) {
    if (signal.aborted) throw new Unanswered("cancelled");
    const timedOut = /timed? ?out/i.test(error instanceof Error ? error.message : "");
    throw new Unanswered(timedOut ? "timeout" : "failed");
  }
}
