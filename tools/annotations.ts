import type { ToolAnnotations } from "../src/tool/define-tool.js";

/** The annotation presets: every tool uses one, so hosts see consistent hints. */

export const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

export const CREATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

/** An update overwrites fields; repeating it with the same arguments changes nothing more. */
export const UPDATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true,
};

/** Deleting again has no further effect (ClickSend answers 404), so a delete is idempotent. */
export const DELETE: ToolAnnotations = UPDATE;

/** Sends reach people, cost money and cannot be recalled; repeating one sends again. */
export const SEND: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};
