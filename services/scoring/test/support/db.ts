import { createPool, migrate } from '@groundtruth/service-kit';
import type pg from 'pg';
import { createDatabase, dropDatabase } from '../../../../test/setup/services.js';

/** A fresh, migrated database in the private test cluster, and a pool on it. */
export async function freshDatabase(
  clusterUrl: string,
): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const url = await createDatabase(clusterUrl);
  await migrate(url, { log: () => {} });
  const pool = createPool(url, { max: 4, applicationName: 'scoring-test' });
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(url);
    },
  };
}
