import type { Model, PipelineStage } from 'mongoose';

/**
 * Sums grouped by a key, portable to FerretDB v1: FerretDB 1.x computes only
 * the first accumulator of a `$group` stage and returns 0 for the rest
 * (FerretDB issue #4616), so each measure runs as its own `$match`/`$group`/`$sum`
 * pipeline and the rows are merged here. On MongoDB the result is the same.
 *
 * @param sums  measure name → `$sum` argument (`1` to count, `'$field'` to add up)
 * @returns one row per group key: `{ key, <measure>: number, … }`
 */
export async function sumBy<K extends string, T>(
  model: Model<T>,
  match: Record<string, unknown>,
  groupKey: string | Record<string, string> | null,
  sums: Record<K, 1 | string>,
): Promise<({ key: unknown } & Record<K, number>)[]> {
  const names = Object.keys(sums) as K[];
  const results = await Promise.all(
    names.map((name) =>
      model.aggregate<{ _id: unknown; v: number }>([
        { $match: match },
        { $group: { _id: groupKey, v: { $sum: sums[name] } } },
      ] as PipelineStage[]),
    ),
  );
  const rows = new Map<string, { key: unknown } & Record<K, number>>();
  results.forEach((res, i) => {
    const name = names[i]!;
    for (const r of res) {
      const id = JSON.stringify(r._id ?? null);
      let row = rows.get(id);
      if (!row) {
        row = { key: r._id ?? null, ...(Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>) };
        rows.set(id, row);
      }
      (row as Record<K, number>)[name] = r.v;
    }
  });
  return [...rows.values()];
}
