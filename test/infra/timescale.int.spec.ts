import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

describe('the integration database', () => {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('has the timescaledb extension loaded and reports its version', async () => {
    // Given the migrated database of the global setup
    // When we ask which timescaledb version is installed in it, and what the loaded library says
    const { rows } = await client.query<{ extversion: string; default_version: string; license: string | null }>(
      `SELECT e.extversion, a.default_version, current_setting('timescaledb.license', true) AS license
         FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
        WHERE e.extname = 'timescaledb'`,
    );

    // Then the extension is created, at the version of the installed files, and its library is loaded
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.extversion).toMatch(/^\d+\.\d+\.\d+/);
    expect(row?.extversion).toBe(row?.default_version);
    expect(row?.license).toBeTruthy(); // a GUC only the loaded timescaledb library defines
    console.log(`timescaledb ${row?.extversion} (${row?.license} license)`);
  });
});
