import type * as z from "zod";
import type { Channel, OutgoingMessage, SendArgs } from "../src/sending/channel.js";
import { previewOutput, type SendOutput, sendOutput } from "../src/sending/output.js";
import { previewSend, send } from "../src/sending/pipeline.js";
import { defineTool } from "../src/tool/define-tool.js";
import { READ, SEND } from "./annotations.js";
import { sendIds } from "./ids.js";
import { withSendOptions } from "./messages.js";

interface SendToolTexts {
  title: string;
  description: string;
  previewTitle: string;
  previewDescription: string;
}

/**
 * A channel's send tool and its read-only preview, named by the channel: the preview takes
 * `input`, the send the same schema with its options, and each runs the pipeline's entry. zod
 * cannot resolve a generic shape's output, so `args` is cast to SendArgs; the bound on T (its
 * messages parse to OutgoingMessage[]) is what makes that cast hold.
 */
export function sendTools<T extends z.ZodRawShape & { messages: z.ZodType<OutgoingMessage[]> }>(
  channel: Channel,
  input: z.ZodObject<T, z.core.$strict>,
  texts: SendToolTexts,
) {
  return {
    send: defineTool({
      name: channel.tool,
      toolset: channel.kind,
      title: texts.title,
      description: texts.description,
      input: withSendOptions(input, channel.previewTool),
      annotations: SEND,
      ids: sendIds,
      output: sendOutput,
      run: (args, ctx) => send(channel, args as SendArgs, ctx) as Promise<SendOutput>,
    }),
    preview: defineTool({
      name: channel.previewTool,
      toolset: channel.kind,
      title: texts.previewTitle,
      description: texts.previewDescription,
      input,
      annotations: READ,
      ids: sendIds,
      output: previewOutput,
      previews: { send: channel.tool, words: channel.words },
      run: (args, ctx) => previewSend(channel, args as SendArgs, ctx),
    }),
  };
}
