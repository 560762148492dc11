import { randomBytes } from "node:crypto";
import { RefusedError, StateStoreError } from "../errors.js";
import { AnswerNeeded } from "../protocol/ask-user.js";
import type { ToolContext } from "../tool/define-tool.js";
import type { Channel, OutgoingMessage, SendArgs } from "./channel.js";
import { answerSubject } from "./confirm.js";
import { preview } from "./preview.js";
import { questionFor } from "./question.js";

/** What a send reserves with once the person said yes: their question's token, spent once. */
export interface Consent {
  token: string;
  payload: string;
}

/**
 * A send from a host that can ask its user: the person is asked every time, confirmation or not
 * (a preview's confirmation proves a preview was made, not that a person read it). The answer
 * counts for exactly these arguments, once: the question's token is recorded in the send store
 * and spent by the reservation (yes) or here (no). A no is remembered for the confirmation TTL
 * against the payload, whatever allow_duplicate or idempotency_key say. `again`: ask anew even
 * though the call carries an answer (it was spent, or it predates a no).
 */
export async function askToSend(
  channel: Channel,
  prepared: { body: { messages: OutgoingMessage[] } & Record<string, unknown>; hash: string },
  args: SendArgs,
  ctx: ToolContext,
  again = false,
): Promise<Consent> {
  const { store, config } = ctx.sending;
  const ttlMs = config.confirmationTtlS * 1000;
  const subject = answerSubject(prepared.hash, args);
  const answer = again ? undefined : ctx.askUser?.answerFor(subject);
  if (!answer) {
    const quoted = await preview(channel, prepared.body, [], ctx);
    const token = `q_${randomBytes(16).toString("base64url")}`;
    try {
      await store.issue({ token, payload: subject, channel: channel.kind, ttlMs });
    } catch (error) {
      throw new StateStoreError(
        `The question for the person at the host could not be recorded in the send state (${error instanceof Error ? error.message : "unavailable"}), so it was not asked.`,
      );
    }
    throw new AnswerNeeded({
      message: questionFor(channel, prepared.body, quoted, ctx.person),
      subject,
      token,
    });
  }
  if (answer.action === "accept") return { token: answer.token, payload: subject };
  let remembered = true;
  try {
    await store.decline({ token: answer.token, payload: prepared.hash, ttlMs });
  } catch (error) {
    remembered = false;
    ctx.logger.warn(
      `a declined send was not recorded: ${error instanceof Error ? error.name : "error"}`,
    );
  }
  throw new RefusedError(
    `The user ${answer.action === "decline" ? "declined" : "dismissed"} this send when the host asked them.${
      remembered
        ? ` Their no stands for ${config.confirmationTtlS} s against this text to these recipients: do not send it again unasked, and do not work around it.`
        : ""
    }`,
  );
}
