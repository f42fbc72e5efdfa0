import { silentLogger } from '@groundtruth/service-kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HoursRepository } from '../src/db/hours.repository.js';
import { ScoresRepository } from '../src/db/scores.repository.js';
import { ScoringJob } from '../src/job/scoring.job.js';
import { freshDatabase } from './support/db.js';
import {
  outdoorWeather,
  registerDevices,
  storeQuarantine,
  storeReadings,
  testDevice,
  type TestDevice,
} from './support/fleet.js';

const DAY = Date.UTC(2026, 5, 1);
const END = DAY + 86_400_000;

describe('scoring job on TimescaleDB', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let job: ScoringJob;
  let scores: ScoresRepository;
  const stations: TestDevice[] = Array.from({ length: 8 }, (_, i) =>
    testDevice(100 + i, 'weather', { lat: 52.05 + 0.02 * (i % 4), lon: 5.1 + 0.03 * Math.floor(i / 4), alt: 5 + i }),
  );
  const [clean, stuck, indoor, skewed, bad] = stations as [TestDevice, TestDevice, TestDevice, TestDevice, TestDevice];
  const silent = testDevice(999, 'weather', { lat: 52.1, lon: 5.2 });

  beforeAll(async () => {
    db = await freshDatabase(inject('databaseUrl'));
    pool = db.pool;
    // Given eight registered weather stations within 10 km of each other, and one that never reports
    await registerDevices(pool, [...stations, silent]);
    for (const [i, station] of stations.entries()) {
      let readings = outdoorWeather(station, DAY, 24, 7 + i);
      if (station === stuck) {
        // the temperature sensor froze at 14.2 °C
        readings = readings.map((r) => ({ ...r, metrics: { ...r.metrics, temperature: 14.2 } }));
      } else if (station === indoor) {
        // indoors: 21 °C, no wind, window light
        readings = readings.map((r, k) => ({
          ...r,
          metrics: {
            ...r.metrics,
            temperature: 21 + (k % 7) * 0.1,
            wind_speed: 0,
            wind_gust: 0,
            solar_irradiance: r.metrics.solar_irradiance! * 0.03,
          },
        }));
      } else if (station === skewed) {
        // the device clock runs 10 minutes ahead of the network
        readings = readings.map((r) => ({ ...r, ts: r.ts + 600_000, recv: r.ts + 1500 }));
      }
      await storeReadings(pool, station, readings);
    }
    // and one station whose messages with bad signatures were quarantined, 3 in the morning
    await storeQuarantine(pool, bad, 'BAD_SIGNATURE', [
      DAY + 8 * 3_600_000,
      DAY + 8 * 3_600_000 + 60_000,
      DAY + 9 * 3_600_000,
    ]);
    const hours = new HoursRepository(pool);
    scores = new ScoresRepository(pool);
    job = new ScoringJob(pool, hours, scores, { logger: silentLogger });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('scores every registered device of the epoch and explains the faulty ones', async () => {
    // When the epoch of that day is scored
    const run = await job.scoreEpoch(DAY, END);

    // Then every registered device has a score, clean stations near 1 and the faulty ones with their reason
    const stored = await scores.epochScores(DAY, END);
    if (process.env.SCORING_DEBUG) {
      for (const s of stored) {
        console.log(
          s.device.slice(0, 6),
          s.quality,
          s.locationScore,
          s.reasons.join(','),
          JSON.stringify(s.breakdown.checks),
          JSON.stringify(s.examples).slice(0, 600),
        );
      }
    }
    expect(stored.map((s) => s.device).sort()).toEqual([...stations, silent].map((d) => d.id).sort());
    const byId = new Map(stored.map((s) => [s.device, s]));
    const cleanScore = byId.get(clean.id)!;
    expect(cleanScore.quality).toBeGreaterThan(0.97);
    expect(cleanScore.reasons).toEqual(['LOCATION_UNVERIFIED']);
    expect(cleanScore.locationScore).toBe(0.5);
    expect(byId.get(stuck.id)!.reasons).toContain('STUCK_VALUES');
    expect(byId.get(stuck.id)!.quality).toBeLessThan(cleanScore.quality);
    expect(byId.get(indoor.id)!.reasons).toEqual(expect.arrayContaining(['SPATIAL_OUTLIER', 'SHADED_OR_INDOOR']));
    expect(byId.get(skewed.id)!.reasons).toContain('CLOCK_SKEW');
    expect(byId.get(bad.id)!.reasons).toContain('BAD_SIGNATURES');
    expect(byId.get(silent.id)!).toMatchObject({ quality: 0, reasons: expect.arrayContaining(['NO_DATA']) });
    // and the run is recorded with the digest of what it wrote
    const recorded = await scores.run(run.runId);
    expect(recorded).toMatchObject({ status: 'done', devicesScored: 9, digest: run.digest, version: 'qod-1.0.0' });
  });

  it('rolls up hours that agree with a plain SQL count of the stored readings', async () => {
    const { rows } = await pool.query<{ device_id: string; mismatches: string }>(
      `SELECT count(*) AS mismatches FROM (
         SELECT device_id, date_bin('1 hour', ts, timestamptz '2000-01-01') AS hour, count(*) AS n FROM readings_weather
          WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2) r
       FULL JOIN (SELECT device_id, hour, n FROM device_hour WHERE version = 'qod-1.0.0' AND n > 0) h USING (device_id, hour)
       WHERE r.n IS DISTINCT FROM h.n`,
      [new Date(DAY).toISOString(), new Date(END).toISOString()],
    );
    expect(Number(rows[0]!.mismatches)).toBe(0);
  });

  it('writes the same rows and the same digest when the epoch is scored again', async () => {
    const snapshot = async () =>
      (
        await pool.query(
          `SELECT device_id, quality, location_score, reasons, breakdown, examples FROM device_epoch_scores ORDER BY device_id`,
        )
      ).rows;
    const before = await snapshot();
    const first = (await scores.epochScores(DAY, END))[0]!;
    // When the same epoch is scored again
    const again = await job.scoreEpoch(DAY, END, { kind: 'rescore', requestedBy: 'test', reason: 'repeat' });
    // Then nothing changed but the run ledger
    expect(await snapshot()).toEqual(before);
    expect((await scores.run(again.runId))!.digest).toBe((await scores.run(first.runId!))!.digest);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM device_hour`);
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
