/**
 * Asking the person at the host a yes/no question in the middle of a tool call (MCP elicitation),
 * without tools knowing how: a tool reads ctx.askUser.answerFor(subject); when the call carries
 * no answer about that subject, the tool throws AnswerNeeded, which the server turns into the
 * protocol's request for input, and the call runs again from the start with the answer. A tool
 * must ask before it changes anything.
 */

/** What the person is asked, and the exact thing the answer is about. */
export interface Question {
  /** Shown to the person: plain text, everything they need to decide. */
  message: string;
  /**
   * What the answer applies to (e.g. a hash of every argument of a send): an answer given about
   * one subject is never taken for another.
   */
  subject: string;
  /**
   * This question's single-use token, as the tool recorded it: the answer comes back with it, so
   * the tool can spend it once (a replayed answer finds it spent).
   */
  token: string;
}

export type Action = "accept" | "decline" | "cancel";

/** The person's answer, and the token of the question it answers. */
export interface Answer {
  action: Action;
  token: string;
}

export interface AskUser {
  /** The answer this call carries about subject, if the host already asked; else undefined. */
  answerFor(subject: string): Answer | undefined;
}

/** Thrown by a tool when the host must ask first; the server answers the call with the question. */
export class AnswerNeeded extends Error {
  constructor(readonly question: Question) {
    super("the user's answer is needed");
    this.name = "AnswerNeeded";
  }
}
