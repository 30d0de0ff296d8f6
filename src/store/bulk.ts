/**
 * FerretDB v1.24 stops answering an `update` command that carries 100 or more
 * updates of existing documents (measured: 90 take ~0.1 s, 100 never return,
 * and the connection is stuck after it). Every bulk write of Zhimi is cut
 * into chunks well below that.
 */
export const BULK_CHUNK = 50;

export function* inChunks<T>(items: readonly T[], size = BULK_CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
