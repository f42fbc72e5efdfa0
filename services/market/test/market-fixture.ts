import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate } from '@groundtruth/service-kit';
import type pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, dropDatabase } from '../../../test/setup/services.js';
import { deviceKeys, seedDevices, seedReadings, signedReadings, type StoredReading } from '../src/index.js';

/** A fresh, migrated database in the private cluster of the global setup, and a temp directory. */
export class MarketDb {
  private constructor(
    readonly url: string,
    readonly pool: pg.Pool,
    readonly dir: string,
  ) {}

  static async create(): Promise<MarketDb> {
    const url = await createDatabase(inject('databaseUrl'));
    await migrate(url, { log: () => {} });
    return new MarketDb(
      url,
      createPool(url, { applicationName: 'market-test', onError: () => {} }),
      mkdtempSync(join(tmpdir(), 'gt-market-')),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
    await dropDatabase(this.url);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const DAY = Date.UTC(2026, 2, 10);
export const HOUR = 3_600_000;
export const UTRECHT = { lat: 52.0907, lon: 5.1214, alt: 5 };
export const BERLIN = { lat: 52.52, lon: 13.405 };

/**
 * A small weather fleet, signed with the protocol's real keys: two located stations sending single envelopes
 * (Utrecht, Berlin) and one without GNSS (declared in Utrecht) sending 10-reading batches, 60 readings each at
 * one a minute from DAY 00:00; every 7th reading of station 0 is flagged.
 */
export async function seedWeatherFleet(
  db: { readonly pool: pg.Pool },
  owners: readonly string[],
  options: { copy?: boolean } = {},
): Promise<{ devices: string[]; readings: StoredReading[] }> {
  const keys = deviceKeys(3, 77);
  const plans = [
    { key: keys[0]!, batchSize: 1, loc: UTRECHT },
    { key: keys[1]!, batchSize: 1, loc: BERLIN },
    { key: keys[2]!, batchSize: 10 },
  ];
  const readings: StoredReading[] = [];
  for (const plan of plans) {
    readings.push(
      ...signedReadings({ kind: 'weather', firstSeq: 1, count: 60, startTs: DAY, intervalMs: 60_000, ...plan }),
    );
  }
  await seedDevices(db.pool, [
    { device: keys[0]!.deviceId, kind: 'weather', ownerWallet: owners[0]! },
    { device: keys[1]!.deviceId, kind: 'weather', ownerWallet: owners[1] ?? owners[0]! },
    {
      device: keys[2]!.deviceId,
      kind: 'weather',
      ownerWallet: owners[0]!,
      declaredLat: UTRECHT.lat,
      declaredLon: UTRECHT.lon,
    },
  ]);
  await seedReadings(db.pool, 'weather', readings, {
    qflags: (r) => (r.body.device === keys[0]!.deviceId && r.body.seq % 7 === 0 ? 4 : 0),
    ...(options.copy === undefined ? {} : { copy: options.copy }),
  });
  return { devices: keys.map((k) => k.deviceId), readings };
}
