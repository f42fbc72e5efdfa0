import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { migrate, silentLogger } from '@groundtruth/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HoursRepository } from '../src/db/hours.repository.js';
import { ScoresRepository } from '../src/db/scores.repository.js';
import { ScoringJob } from '../src/job/scoring.job.js';
import { freshDatabase } from './support/db.js';
import {
  drivingCar,
  householdMeter,
  outdoorWeather,
  registerDevices,
  storeQuarantine,
  storeReadings,
  testDevice,
  type TestDevice,
} from './support/fleet.js';

/**
 * The same stored data scores identically on TimescaleDB (binary COPY reads, COPY writes) and on PGlite over
 * pglite-socket (cursor reads, INSERT writes: the embedded network's database), and again on a re-run: same
 * digest, same scores, breakdowns and examples, same hour rollups and reading flags, bit for bit.
 */
const DAY = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

/** Weather stations (one stuck, one indoors, one drifting), cars (one with a frozen GNSS), meters. */
function fleet(): { devices: TestDevice[]; store: (pool: pg.Pool) => Promise<void> } {
  const stations = Array.from({ length: 8 }, (_, i) =>
    testDevice(300 + i, 'weather', { lat: 52.05 + 0.02 * (i % 4), lon: 5.1 + 0.03 * Math.floor(i / 4), alt: 2 + i }),
  );
  const cars = [0, 1].map((i) => testDevice(400 + i, 'vehicle', { lat: 52.2, lon: 5.2 + i * 0.1 }));
  const meters = [0, 1, 2, 3, 4, 5].map((i) => testDevice(500 + i, 'energy', { lat: 52.3 + i * 0.01, lon: 5.0 }));
  return {
    devices: [...stations, ...cars, ...meters],
    store: async (pool) => {
      await registerDevices(pool, [...stations, ...cars, ...meters]);
      const from = DAY - 6 * HOUR;
      for (const [i, station] of stations.entries()) {
        let readings = outdoorWeather(station, from, 31, 11 + i);
        if (i === 1) {
          readings = readings.map((r) => ({ ...r, metrics: { ...r.metrics, pressure: 100_900 } }));
        } else if (i === 2) {
          readings = readings.map((r, k) => ({
            ...r,
            metrics: { ...r.metrics, temperature: 21 + (k % 5) * 0.1, wind_speed: 0, wind_gust: 0 },
          }));
        } else if (i === 3) {
          readings = readings.map((r) => ({
            ...r,
            metrics: {
              ...r.metrics,
              temperature: r.metrics.temperature! + Math.round(((r.ts - from) / 86_400_000) * 30) / 10,
            },
          }));
        }
        await storeReadings(pool, station, readings);
      }
      for (const [i, car] of cars.entries()) {
        await storeReadings(pool, car, drivingCar(car, from, 31, { frozenGnss: i === 1 }));
      }
      for (const [i, meter] of meters.entries()) {
        await storeReadings(pool, meter, householdMeter(meter, from, 31, i));
      }
      await storeQuarantine(pool, stations[4]!, 'BAD_SIGNATURE', [DAY + 3 * HOUR, DAY + 3 * HOUR + 5000]);
      await storeQuarantine(
        pool,
        cars[0]!,
        'REPLAYED_SEQ',
        [1, 2, 3, 4, 5, 6].map((k) => DAY + k * HOUR),
      );
    },
  };
}

const snapshot = async (pool: pg.Pool) => ({
  scores: (
    await pool.query(
      `SELECT epoch_start, epoch_end, device_id, version, kind, quality, location_score, availability, reasons, breakdown, examples
         FROM device_epoch_scores ORDER BY epoch_start, device_id`,
    )
  ).rows,
  hours: (
    await pool.query(
      `SELECT device_id, hour, version, kind, n, expected, availability, quality, flagged, seq_gaps, var_present, var_valid,
              var_mean::text AS var_mean, check_fail, check_loss::text AS check_loss, obs_n, obs_lat, obs_lon, loc_mismatch,
              clock_lag_min_s, solar_index, hour_flags, detail
         FROM device_hour ORDER BY device_id, hour`,
    )
  ).rows,
  flags: (
    await pool.query(
      `SELECT device_id, ts, seq, version, kind, flags, checks, variables FROM reading_flags ORDER BY 1, 2, 3`,
    )
  ).rows,
});

async function scoreAll(job: ScoringJob): Promise<string[]> {
  const day = await job.scoreEpoch(DAY, DAY + 24 * HOUR);
  // and a 5-minute demo epoch in the middle of an hour
  const short = await job.scoreEpoch(DAY + 10 * HOUR + 35 * 60_000, DAY + 10 * HOUR + 40 * 60_000);
  return [day.digest, short.digest];
}

describe('determinism: TimescaleDB, PGlite, re-run', () => {
  let timescale: Awaited<ReturnType<typeof freshDatabase>>;
  let lite: PGlite;
  let server: PGLiteSocketServer;
  let litePool: pg.Pool;

  beforeAll(async () => {
    const data = fleet();
    timescale = await freshDatabase(inject('databaseUrl'));
    await data.store(timescale.pool);
    lite = await PGlite.create();
    server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 64 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    await migrate(url, { log: () => {} });
    litePool = new pg.Pool({ connectionString: url, max: 3 });
    await data.store(litePool);
  }, 180_000);

  afterAll(async () => {
    await litePool?.end();
    await server?.stop();
    await lite?.close();
    await timescale?.drop();
  });

  it('gives the same digests, scores, rollups and flags on both databases and on a re-run', async () => {
    // When the same epochs are scored on TimescaleDB (COPY) and on PGlite (cursor, INSERT)
    const onTimescale = new ScoringJob(
      timescale.pool,
      new HoursRepository(timescale.pool, { copy: true }),
      new ScoresRepository(timescale.pool),
      { logger: silentLogger, read: { mode: 'copy', copyRowsPerShard: 20_000 } },
    );
    const onPglite = new ScoringJob(litePool, new HoursRepository(litePool), new ScoresRepository(litePool), {
      logger: silentLogger,
      read: { mode: 'cursor' },
    });
    const first = await scoreAll(onTimescale);
    const lite1 = await scoreAll(onPglite);
    const stored = await snapshot(timescale.pool);

    // Then the digests and every stored row agree
    expect(lite1).toEqual(first);
    expect(await snapshot(litePool)).toEqual(stored);
    // and a re-run writes the same again
    expect(await scoreAll(onTimescale)).toEqual(first);
    expect(await snapshot(timescale.pool)).toEqual(stored);

    // The data is not trivial: the faults were found, on both
    const reasons = new Map(
      stored.scores.filter((s) => s.epoch_end - s.epoch_start > HOUR).map((s) => [s.device_id, s.reasons]),
    );
    const [, stuck, indoor, drifting, signed] = fleet().devices;
    expect(reasons.get(stuck!.id)).toContain('STUCK_VALUES');
    expect(reasons.get(indoor!.id)).toEqual(expect.arrayContaining(['SPATIAL_OUTLIER']));
    expect(reasons.get(drifting!.id)).toContain('DRIFT');
    expect(reasons.get(signed!.id)).toContain('BAD_SIGNATURES');
    const carIds = fleet()
      .devices.filter((d) => d.kind === 'vehicle')
      .map((d) => d.id);
    expect(reasons.get(carIds[0]!)).toContain('CLONED_KEY_SUSPECTED');
    expect(reasons.get(carIds[1]!)).toContain('SPEED_MISMATCH');
    expect(stored.flags.length).toBeGreaterThan(1000);
    expect(stored.hours.length).toBeGreaterThan(300);
  });
});
