import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES_CHANGED_CHANNEL } from '../src/device.registry.js';
import type { IngestRunner } from '../src/ingest.runner.js';
import {
  discardSession,
  freshDatabase,
  publishAll,
  register,
  startIngest,
  storedSeqs,
  testDevice,
  until,
} from './support.js';

describe('the ingest follows registry changes without a restart (LISTEN/NOTIFY)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ingest: IngestRunner;
  beforeAll(async () => {
    db = await freshDatabase();
    ingest = await startIngest(db.url);
  });
  afterAll(async () => {
    await ingest.stop();
    await discardSession(ingest.core.config.clientId);
    await db.drop();
  });

  const reasons = async (device: string) =>
    (
      await db.pool.query<{ reason: string; seq: string }>(
        'SELECT reason, seq FROM quarantine WHERE device_id = $1 ORDER BY seq',
        [device],
      )
    ).rows.map((r) => `${r.seq}:${r.reason}`);
  const change = async (sql: string, device: string) => {
    await db.pool.query(sql, [device]);
    await db.pool.query('SELECT pg_notify($1, $2)', [DEVICES_CHANGED_CHANNEL, device]);
  };

  it('refuses a device from the moment it is suspended, and takes it back once reinstated', async () => {
    // Given an active device whose first reading was stored (so its registry entry is cached)
    const device = testDevice('weather');
    await register(db.pool, [device]);
    await publishAll([{ topic: device.topic, payload: device.single(0) }]);
    await until('reading 0 is stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 1);

    // When the registry suspends it and notifies
    await change(`UPDATE devices SET status = 'suspended', updated_at = now() WHERE device_id = $1`, device.id);
    await until('the cache dropped the device', () => ingest.core.registry.cachedDevices === 0, 5_000);
    await publishAll([{ topic: device.topic, payload: device.single(1) }]);

    // Then its next reading is quarantined as DEVICE_SUSPENDED
    await until('reading 1 is quarantined', async () => (await reasons(device.id)).length === 1, 5_000);
    expect(await reasons(device.id)).toEqual(['1:DEVICE_SUSPENDED']);

    // When it is reinstated, its readings are stored again
    await change(`UPDATE devices SET status = 'active' WHERE device_id = $1`, device.id);
    await until('the cache dropped the device', () => ingest.core.registry.cachedDevices === 0, 5_000);
    await publishAll([{ topic: device.topic, payload: device.single(2) }]);
    await until('reading 2 is stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 2, 5_000);

    // And a revocation is picked up the same way
    await change(`UPDATE devices SET status = 'revoked' WHERE device_id = $1`, device.id);
    await until('the cache dropped the device', () => ingest.core.registry.cachedDevices === 0, 5_000);
    await publishAll([{ topic: device.topic, payload: device.single(3) }]);
    await until('reading 3 is quarantined', async () => (await reasons(device.id)).length === 2, 5_000);
    expect(await reasons(device.id)).toEqual(['1:DEVICE_SUSPENDED', '3:DEVICE_REVOKED']);
  });

  it('accepts a newly registered device right after the NOTIFY, though it was just refused as unknown', async () => {
    // Given a device that published before it was registered (so "unknown" is cached)
    const device = testDevice('vehicle');
    await publishAll([{ topic: device.topic, payload: device.single(0) }]);
    await until('reading 0 is quarantined', async () => (await reasons(device.id)).length === 1, 5_000);
    expect(await reasons(device.id)).toEqual(['0:UNKNOWN_DEVICE']);

    // When the registry registers it and notifies
    await register(db.pool, [device]);
    await db.pool.query('SELECT pg_notify($1, $2)', [DEVICES_CHANGED_CHANNEL, device.id]);
    const notifiedAt = Date.now();
    await publishAll([{ topic: device.topic, payload: device.single(1) }]);

    // Then its next reading is stored at once, well before the "unknown" entry would have expired
    await until('reading 1 is stored', async () => (await storedSeqs(db.pool, 'vehicle', [device])).total === 1, 4_000);
    expect(Date.now() - notifiedAt).toBeLessThan(4_000);
  });
});
