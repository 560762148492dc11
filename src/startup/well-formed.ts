/**
 * The SDK's own schema checks for what the early answers read (@modelcontextprotocol/core's
 * JSONRPCMessageSchema, InitializeRequestSchema, ListToolsRequestSchema), written out without
 * zod so a start loads neither. Each check is sound, not complete: true only for a message the
 * SDK's schema accepts; anything it is unsure of is false, and the message goes to the SDK,
 * which answers it (or drops it) itself. test/early-answers.test.ts holds them to the schemas.
 */

type JsonObject = Record<string, unknown>;

/** A plain JSON object: what zod's z.object and z.record(z.string(), …) accept from JSON. */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const optional = (value: unknown, check: (value: unknown) => boolean) =>
  value === undefined || check(value);
const isString = (value: unknown) => typeof value === "string";
const isBoolean = (value: unknown) => typeof value === "boolean";
/** z.number().int() accepts safe integers only. */
const isInt = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value);
export const isRequestId = (value: unknown): value is string | number =>
  isString(value) || isInt(value);
const isObjectOfObjects = (value: unknown) =>
  isObject(value) && Object.values(value).every(isObject);
const hasOnly = (value: JsonObject, keys: readonly string[]) =>
  Object.keys(value).every((key) => keys.includes(key));

/** RequestMetaSchema: loose, with a progress token and the related task typed. */
const isRequestMeta = (meta: unknown) =>
  isObject(meta) &&
  optional(meta.progressToken, isRequestId) &&
  optional(
    meta["io.modelcontextprotocol/related-task"],
    (task) => isObject(task) && isString(task.taskId),
  );

/** A request's or notification's params as the envelope checks them (BaseRequestParamsSchema.loose()). */
const isParams = (params: unknown) => isObject(params) && optional(params._meta, isRequestMeta);

export interface WellFormedRequest {
  jsonrpc: "2.0";
  id: string | number;
  method: string;
  params?: JsonObject;
}

/** JSONRPCRequestSchema: strict, so a key beyond these four makes it no message at all. */
export function isWellFormedRequest(message: unknown): message is WellFormedRequest {
  return (
    isObject(message) &&
    hasOnly(message, ["jsonrpc", "id", "method", "params"]) &&
    message.jsonrpc === "2.0" &&
    isRequestId(message.id) &&
    isString(message.method) &&
    optional(message.params, isParams)
  );
}

/** JSONRPCNotificationSchema: strict as well. */
export function isWellFormedNotification(
  message: unknown,
): message is Omit<WellFormedRequest, "id"> {
  return (
    isObject(message) &&
    hasOnly(message, ["jsonrpc", "method", "params"]) &&
    message.jsonrpc === "2.0" &&
    isString(message.method) &&
    optional(message.params, isParams)
  );
}

const isIcon = (icon: unknown) =>
  isObject(icon) &&
  isString(icon.src) &&
  optional(icon.mimeType, isString) &&
  optional(icon.sizes, (sizes) => Array.isArray(sizes) && sizes.every(isString)) &&
  optional(icon.theme, (theme) => theme === "light" || theme === "dark");

/** ImplementationSchema. */
const isImplementation = (info: unknown) =>
  isObject(info) &&
  isString(info.name) &&
  optional(info.title, isString) &&
  optional(info.icons, (icons) => Array.isArray(icons) && icons.every(isIcon)) &&
  isString(info.version) &&
  optional(info.websiteUrl, isString) &&
  optional(info.description, isString);

const hasObjects = (value: JsonObject, keys: readonly string[]) =>
  keys.every((key) => optional(value[key], isObject));

/** ClientCapabilitiesSchema: known capabilities typed, unknown ones ignored. */
function isClientCapabilities(capabilities: unknown): boolean {
  if (!isObject(capabilities)) return false;
  const { experimental, sampling, elicitation, roots, tasks, extensions } = capabilities;
  return (
    optional(experimental, isObjectOfObjects) &&
    optional(sampling, (s) => isObject(s) && hasObjects(s, ["context", "tools"])) &&
    optional(
      elicitation,
      (e) =>
        isObject(e) &&
        optional(e.form, (form) => isObject(form) && optional(form.applyDefaults, isBoolean)) &&
        optional(e.url, isObject),
    ) &&
    optional(roots, (r) => isObject(r) && optional(r.listChanged, isBoolean)) &&
    optional(tasks, isTasksCapability) &&
    optional(extensions, isObjectOfObjects)
  );
}

const isTasksCapability = (tasks: unknown) =>
  isObject(tasks) &&
  hasObjects(tasks, ["list", "cancel"]) &&
  optional(
    tasks.requests,
    (requests) =>
      isObject(requests) &&
      optional(requests.sampling, (s) => isObject(s) && hasObjects(s, ["createMessage"])) &&
      optional(requests.elicitation, (e) => isObject(e) && hasObjects(e, ["create"])),
  );

/** InitializeRequestSchema's params, the envelope's checks (isWellFormedRequest) already passed. */
export const isInitializeParams = (params: unknown): params is JsonObject =>
  isObject(params) &&
  isString(params.protocolVersion) &&
  isClientCapabilities(params.capabilities) &&
  isImplementation(params.clientInfo);

/** ListToolsRequestSchema's params (PaginatedRequestParamsSchema), optional as a whole. */
export const isListToolsParams = (params: unknown) =>
  optional(params, (p) => isObject(p) && optional(p.cursor, isString));
