/** Adding one server to a host's JSON config without losing anything else in it. */

export class JsonMergeError extends Error {
  override name = "JsonMergeError";
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parse(text: string): JsonObject {
  if (text.trim() === "") return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    // JSONC (comments, trailing commas) would lose its comments if rewritten: refuse.
    throw new JsonMergeError(
      `it is not plain JSON (${(error as Error).message}); add the entry by hand, --print shows it`,
    );
  }
  if (!isObject(doc)) throw new JsonMergeError("its top level is not a JSON object");
  return doc;
}

/**
 * `text` with `entry` under `key.name` (and VS Code's `inputs`, those with a new id). The order
 * of everything else is kept; a replaced entry keeps its place.
 */
export function mergeJson(
  text: string,
  key: string,
  name: string,
  entry: JsonObject,
  force: boolean,
  inputs: JsonObject[] = [],
): { text: string; replaced: boolean } {
  const doc = parse(text);
  const servers = doc[key] ?? {};
  if (!isObject(servers)) throw new JsonMergeError(`"${key}" is not an object`);
  const replaced = Object.hasOwn(servers, name);
  if (replaced && !force) {
    throw new JsonMergeError(
      `"${key}" already has "${name}": pass --force to replace it, or --name for another name`,
    );
  }
  doc[key] = { ...servers, [name]: entry };
  if (inputs.length) {
    const existing = doc.inputs ?? [];
    if (!Array.isArray(existing)) throw new JsonMergeError('"inputs" is not an array');
    const ids = new Set(existing.map((input) => (isObject(input) ? input.id : undefined)));
    doc.inputs = [...existing, ...inputs.filter((input) => !ids.has(input.id))];
  }
  return { text: `${JSON.stringify(doc, null, 2)}\n`, replaced };
}

/** The snippet --print shows: the entry under its key, as the host's file holds it. */
export function jsonSnippet(
  key: string,
  name: string,
  entry: JsonObject,
  inputs: JsonObject[] = [],
): string {
  return mergeJson("", key, name, entry, false, inputs).text;
}
