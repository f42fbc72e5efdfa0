import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../services/kit/src/db/migrate.js';
import { createDatabase, dropDatabase } from '../setup/services.js';

describe('migrate', () => {
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((url) => dropDatabase(url)));
  });

  it('applies every SQL migration once, even with concurrent migrators', async () => {
    // Given a fresh, empty database
    const url = await createDatabase(inject('databaseUrl'));
    created.push(url);

    // When three services start at once and each migrates
    await Promise.all([1, 2, 3].map(() => migrate(url, { log: () => {} })));

    // Then each migration file is recorded exactly once, in order
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((name) => name.endsWith('.sql'))
      .map((name) => name.replace(/\.sql$/, ''))
      .sort();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id');
      expect(rows.map((row) => row.name)).toEqual(files);
    } finally {
      await client.end();
    }
  });
});
