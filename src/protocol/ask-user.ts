/**
 * Asking the person at the host a yes/no question in the middle of a tool call (MCP elicitation),
 * without tools knowing how: a tool calls ctx.askUser; the server either has the answer (the
 * host retried the call with it) or ends the call with AnswerNeeded, which it turns into the
 * protocol's request for input. A tool must ask before it changes anything: the call runs again
 * from the start with the answer.
 */

/** What the person is asked, and the exact thing the answer is about. */
export interface Question {
  /** Shown to the person: plain text, everything they need to decide. */
  message: string;
  /**
   * What the answer applies to (e.g. a hash of the normalised payload): an answer given about
   * one payload is never taken for another.
   */
  subject: string;
}

export type Answer = "accept" | "decline" | "cancel";

/** Thrown by askUser when the host must ask first; the server answers the call with the question. */
export class AnswerNeeded extends Error {
  constructor(readonly question: Question) {
    super("the user's answer is needed");
    this.name = "AnswerNeeded";
  }
}

/**
 * The person's answer to question, if the host already asked it for this very subject; throws
 * AnswerNeeded when it has not yet.
 */
export type AskUser = (question: Question) => Answer;
