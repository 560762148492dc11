/** A resource a result points to; the server adds it to the result as a resource_link. */
export interface ResourceLink {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

const LINKS = Symbol("links");

/** Attaches links to a tool's data without putting them in its structured content. */
export function withLinks<T extends object>(data: T, links: ResourceLink[]): T {
  Object.defineProperty(data, LINKS, { value: links, enumerable: false });
  return data;
}

export function linksOf(data: unknown): ResourceLink[] {
  if (!data || typeof data !== "object") return [];
  return ((data as { [LINKS]?: ResourceLink[] })[LINKS] ?? []).slice();
}
