/**
 * An answer's body, read as a stream up to a cap: a huge answer fails once the cap is crossed,
 * before its bytes are held, and the rest is never downloaded.
 */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  if (Number(response.headers.get("content-length")) > maxBytes) {
    response.body?.cancel().catch(() => {});
    throw new BodyTooLargeError();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  // TextDecoder, like Response.text(): invalid bytes become U+FFFD and a BOM is dropped.
  return new TextDecoder().decode(Buffer.concat(chunks));
}
