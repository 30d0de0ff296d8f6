import type { Model, QueryFilter } from 'mongoose';

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

/** FerretDB v1 refuses a delete of some thousands of documents at once: deletes go in slices of this many. */
export const DELETE_SLICE = 500;

/** Delete every document a filter matches, in slices; returns how many. */
export async function deleteInSlices<T extends { _id: unknown }>(model: Model<T>, filter: QueryFilter<T>): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = ((await model.find(filter, { _id: 1 }).limit(DELETE_SLICE).lean()) as unknown as { _id: unknown }[]).map((d) => d._id);
    if (ids.length === 0) return deleted;
    deleted += (await model.deleteMany({ _id: { $in: ids } } as QueryFilter<T>)).deletedCount;
    if (ids.length < DELETE_SLICE) return deleted;
  }
}
