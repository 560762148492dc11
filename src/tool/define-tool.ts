import type * as z from "zod";
import type { RequestClient } from "../client/client.js";
import type { Clock } from "../clock.js";
import type { ToolIds } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Person } from "../oauth/person.js";
import type { AskUser } from "../protocol/ask-user.js";
import type { ReplySource } from "../push/source.js";
import type { ChannelWords } from "../sending/channel.js";
import type { SendingPolicy } from "../sending/policy.js";

/** All four hints are required: hosts gate confirmations on them and read-only mode derives from them. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  /** This call's view of the shared client: cancelling the call aborts its requests. */
  client: RequestClient;
  /** Aborted when the host cancels the call. */
  signal: AbortSignal;
  /** True when talking to the embedded simulator: nothing real is sent. */
  sandbox: boolean;
  logger: Logger;
  /** Operator guards and the send store, shared across the process (and further, by the store). */
  sending: SendingPolicy;
  /** Time and waiting, for tools that poll. */
  clock: Clock;
  /**
   * Tells the host how a long call is going (notifications/progress when the call asked for
   * progress; otherwise nothing). `done` must grow from one report to the next: a report that
   * does not is dropped.
   */
  progress(done: number, total?: number, message?: string): void;
  /** Asks the person at the host a yes/no question (elicitation); absent when the host cannot. */
  askUser?: AskUser;
  /**
   * Over HTTP, CLICKSEND_WEBHOOK_SECRET: what a URL rule's address ends with. Never put in a
   * result or a log.
   */
  webhookSecret?: string;
  /**
   * Who is calling, over HTTP with OAuth (the token's sub and name): named in the send audit, the
   * logs and the question, and counted against the per-person limits. Absent otherwise.
   */
  person?: Person;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds tools of every input type.
export type AnyObjectSchema = z.ZodObject<any>;

/**
 * What a handler may return for an output schema: render() drops nulls, undefined and empty
 * strings before the result is sent, so an optional field may also be null here.
 */
export type Shaped<T> = T extends readonly (infer U)[]
  ? Shaped<U>[]
  : T extends object
    ? { [K in keyof T]: undefined extends T[K] ? Shaped<T[K]> | null : Shaped<T[K]> }
    : T;

export interface ToolDefinition<
  I extends AnyObjectSchema = AnyObjectSchema,
  O extends AnyObjectSchema = AnyObjectSchema,
> {
  name: string;
  /** The name of one of the catalogue's toolsets (test/registry.test.ts checks it is declared). */
  toolset: string;
  title: string;
  description: string;
  input: I;
  annotations: ToolAnnotations;
  /**
   * Where this tool's ids come from, for the next step of a 403 or 404 from ClickSend; a function
   * when the tool's requests concern different ids. Without it a 404 says the resource does not
   * exist and a 403 is about permission.
   */
  ids?: ToolIds;
  /**
   * The result as structuredContent carries it after render() (no nulls or empty strings), for
   * tools/list's outputSchema; the server adds what every result may carry (src/protocol/output-schema.ts).
   */
  output: O;
  /** On a send's preview: the send tool it previews, and how the send card words that send. */
  previews?: { send: string; words: ChannelWords };
  run(args: z.output<I>, ctx: ToolContext): Promise<Shaped<z.input<O>>>;
}

/** A named group of tools the operator can turn on or off (--toolsets). */
export interface ToolsetDefinition {
  name: string;
  /** One line: what its tools are for (README, --help, the bundle's settings). */
  description: string;
  /** Served when the operator names no toolsets. */
  default: boolean;
}

/** What the catalogue's instructions are made from: each tool a server serves. */
export interface ServedTool {
  name: string;
  toolset: string;
  annotations?: { readOnlyHint?: boolean | undefined } | undefined;
}

/**
 * A family of resources the catalogue serves, as a URI template (RFC 6570): listed by
 * resources/templates/list when its toolset is served, read by resources/read. `read` is given
 * the URI as the client sent it; it returns the resource's data, which the server sends as
 * compact JSON (no nulls or empty strings), and throws a UserInputError for a URI it cannot
 * serve (a -32602 naming the URI).
 */
export interface ResourceTemplateDefinition {
  uriTemplate: string;
  name: string;
  title?: string;
  description: string;
  mimeType: "application/json";
  /** Served only with this toolset's tools. */
  toolset: string;
  /** Whether `uri` is one of this template's; the first template that matches reads it. */
  matches(uri: string): boolean;
  read(uri: string, ctx: ToolContext): Promise<unknown>;
}

/** Everything the framework is told about ClickSend's tools: cli.ts hands it to the server. */
export interface Catalogue {
  tools: ToolDefinition[];
  toolsets: ToolsetDefinition[];
  /** Resource templates beside the tools (the audit of sends is the framework's own). */
  resources?: ResourceTemplateDefinition[];
  /**
   * The server's instructions to the model (initialize), for the tools it serves: they name only
   * what the model can call.
   */
  instructions: (served: readonly ServedTool[]) => string;
  /** How the reply watcher (--watch-replies, src/push/) reads new replies and receipts. */
  replies?: ReplySource;
}

/** A tool as a catalogue file writes it: its input schema, or a function that builds it. */
export type ToolSpec<I extends AnyObjectSchema, O extends AnyObjectSchema> = Omit<
  ToolDefinition<I, O>,
  "input"
> & {
  input: I | (() => I);
};

/**
 * Keeps the handler's argument and result types tied to their schemas. An input given as a function is built
 * on first use of `input` (the first call of the tool, or a listing computed live), not at
 * start: tools/list comes from the listing prebuilt at build time (src/startup/listing.ts), so a start
 * builds no tool's zod schema.
 */
export function defineTool<I extends AnyObjectSchema, O extends AnyObjectSchema>(
  spec: ToolSpec<I, O>,
): ToolDefinition {
  const { input, ...rest } = spec;
  if (typeof input !== "function") return spec as unknown as ToolDefinition;
  let built: I | undefined;
  const tool = Object.defineProperty(rest, "input", {
    get: () => {
      built ??= input();
      return built;
    },
    enumerable: true,
  }) as unknown as ToolDefinition;
  prebuildWhenIdle(() => built === undefined && warmInput(tool.input));
  return tool;
}

/** Long enough after start for a host's initialize and tools/list to have been answered. */
export const PREBUILD_AFTER_MS = 300;

const unbuilt: Array<() => unknown> = [];
let prebuildScheduled = false;

/**
 * Builds the inputs no call has built yet, one per turn of the event loop, from PREBUILD_AFTER_MS
 * after start: a host's first call then finds its schema built and its parser compiled, and a
 * request that comes meanwhile waits for one tool's schema at most.
 */
function prebuildWhenIdle(build: () => unknown): void {
  unbuilt.push(build);
  if (prebuildScheduled) return;
  prebuildScheduled = true;
  setTimeout(() => drain(), PREBUILD_AFTER_MS).unref();
}

function drain(): void {
  unbuilt.shift()?.();
  if (unbuilt.length > 0) setImmediate(drain).unref();
}

/** Builds every input not built yet, now: for a server that knows it is idle. */
export function prebuildInputs(): void {
  for (const build of unbuilt.splice(0)) build();
}

/** zod compiles an object's parser on its first parse: one parse of {} does it. */
function warmInput(schema: AnyObjectSchema): void {
  schema.safeParse({});
}
