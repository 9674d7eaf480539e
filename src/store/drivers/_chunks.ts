import type { ObjectChunks } from '../types.js';

/** Joins streamed chunks into one buffer, for drivers that keep whole objects in memory. */
export async function concatChunks(chunks: Uint8Array | ObjectChunks): Promise<Uint8Array> {
  if (chunks instanceof Uint8Array) return chunks;
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
