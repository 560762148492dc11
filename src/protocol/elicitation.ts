/**
 * ctx.askUser over MCP elicitation, both generations written once: the call answers with
 * input_required (2026-07-28 clients fulfil it and retry; for 2025 clients on a connection the SDK
 * sends elicitation/create and re-enters the call). The question's subject rides in a signed
 * requestState, so an answer counts only for the payload it was given about, within 10 minutes.
 */
import { randomBytes } from "node:crypto";
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
import { AnswerNeeded, type AskUser, type Question } from "./ask-user.js";
import { clientCapabilitiesOf } from "./client-capabilities.js";

const KEY = "confirm";
const Confirmation = z.object({ send: z.boolean() });
const REQUESTED_SCHEMA = {
  type: "object" as const,
  properties: { send: { type: "boolean" as const, title: "Send it", default: false } },
  required: ["send"],
};

/**
 * One key per process: over stateless HTTP the retry reaches another Server instance of the same
 * process. The subject names the tool and its payload, so a state cannot serve another send.
 */
const codec = createRequestStateCodec<{ subject: string }>({
  key: randomBytes(32),
  ttlSeconds: 600,
  bind: (ctx) => ctx.mcpReq.method,
});

export const verifyRequestState = codec.verify;

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

/** askUser for one call: the answer when this call carries one about the same subject. */
export function askUserFor(extra: ServerContext): AskUser {
  return (question) => {
    const state = extra.mcpReq.requestState<{ subject: string }>();
    if (state?.subject === question.subject) {
      const view = inputResponse(extra.mcpReq.inputResponses, KEY);
      if (view.kind === "elicit") {
        if (view.action !== "accept") return view.action;
        return acceptedContent(extra.mcpReq.inputResponses, KEY, Confirmation)?.send === true
          ? "accept"
          : "decline";
      }
    }
    throw new AnswerNeeded(question);
  };
}

/** The question the call must ask, as the protocol's request for input. */
export async function inputRequiredFor(
  question: Question,
  extra: ServerContext,
): Promise<InputRequiredResult> {
  return inputRequired({
    inputRequests: {
      [KEY]: inputRequired.elicit({ message: question.message, requestedSchema: REQUESTED_SCHEMA }),
    },
    requestState: await codec.mint({ subject: question.subject }, extra),
  });
}
