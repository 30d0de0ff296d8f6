import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import { connectStore, ensureIndexes, type Store } from '../../src/store/connection.js';

/**
 * A database of this test file's own on the shared server, dropped at the end.
 * Call in beforeAll; call `drop()` in afterAll.
 */
export async function openTestStore(testFile: string): Promise<Store & { drop(): Promise<void> }> {
  const name = testDbName(testFile);
  const store = await connectStore(inject('mongoUri'), { dbName: name });
  await store.connection.db!.dropDatabase();
  await ensureIndexes(store);
  return {
    ...store,
    async drop() {
      await store.connection.db!.dropDatabase().catch(() => undefined);
      await store.close();
    },
  };
}

function testDbName(testFile: string): string {
  return 'zt_' + createHash('sha1').update(testFile).digest('hex').slice(0, 12);
}

/** MONGODB_URI of this test file's database, for `zhimi` commands the test runs. */
export function testDbUri(testFile: string): string {
  const u = new URL(inject('mongoUri'));
  u.pathname = '/' + testDbName(testFile);
  return u.toString();
}
