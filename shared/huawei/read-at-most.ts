/**
 * The first `max` bytes of a body; once they are in, the rest of the stream is destroyed (breaking out
 * of the iteration destroys it, which aborts the request), so a body far larger is never read whole.
 */
export async function readAtMost(body: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    const take = Math.min(chunk.length, max - size);
    if (take > 0) chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    size += take;
    if (size >= max) break;
  }
  return Buffer.concat(chunks, size);
}
