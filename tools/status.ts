import * as z from "zod";
import { defineTool } from "../src/tool/define-tool.js";
import { READ } from "./annotations.js";
import {
  continueWith,
  deliveryOutput,
  lookUp,
  MAX_WAIT_S,
  needsTarget,
  nextStep,
  resolveTarget,
  sendSelector,
  sendStatusOutput,
  waitForDelivery,
} from "./delivery.js";

/** The next step of a send whose outcome is unknown (Channel.findSend). */
export const findWithStatus = (tag: string) => `call get_send_status with tag ${tag}`;

/** A 404 from history means a wrong base URL: the path has no id (a missing receipt is no error). */
const ids = { noId: true };

export const getSendStatus = defineTool({
  name: "get_send_status",
  toolset: "status",
  title: "Get send status",
  description:
    "Did an SMS or MMS send go out, and was it delivered: by its tag or message ids. Use it before sending again after an unclear outcome.",
  input: () => z.strictObject(sendSelector).superRefine(needsTarget),
  annotations: READ,
  ids,
  output: sendStatusOutput,
  run: async (args, ctx) => {
    const status = await lookUp(await resolveTarget(args, ctx), ctx);
    return { ...status, next: nextStep(status) };
  },
});

export const awaitDelivery = defineTool({
  name: "await_delivery",
  toolset: "status",
  title: "Await delivery",
  description:
    "Wait until sent SMS or MMS are delivered or failed, or the timeout passes; reports progress. Accepted means ClickSend queued it, delivered that the handset got it.",
  input: () =>
    z
      .strictObject({
        ...sendSelector,
        timeout_s: z
          .number()
          .int()
          .min(1)
          .max(MAX_WAIT_S)
          .optional()
          .describe(`Longest wait (default 60); answers within ${MAX_WAIT_S + 10} s`),
      })
      .superRefine(needsTarget),
  annotations: READ,
  ids,
  output: deliveryOutput,
  run: async ({ timeout_s, ...selector }, ctx) => {
    const target = await resolveTarget(selector, ctx);
    const result = await waitForDelivery(target, timeout_s ?? 60, ctx);
    const pending = (result.counts.pending ?? 0) + (result.not_found?.length ?? 0);
    const next = nextStep(result);
    return {
      ...result,
      next: result.accepted && pending ? `${next} ${continueWith(target)}` : next,
    };
  },
});
