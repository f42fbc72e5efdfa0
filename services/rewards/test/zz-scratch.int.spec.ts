import { silentLogger } from '@groundtruth/service-kit';
import { afterAll, expect, it } from 'vitest';
import { HoursRepository } from '../../scoring/src/db/hours.repository.js';
import { ScoresRepository } from '../../scoring/src/db/scores.repository.js';
import { ScoringJob } from '../../scoring/src/job/scoring.job.js';
import { freshDatabase, GENESIS, HOUR, insertDevices, insertWeatherReadings } from './fixture.js';

let cleanup: () => Promise<void> = async () => {};
afterAll(() => cleanup());

it('scratch: scoring over stored readings', async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  const start = GENESIS + 10 * HOUR;
  await insertDevices(db.pool, [
    { tag: 'a', lat: 52.0, lon: 5.1 },
    { tag: 'b', lat: 52.5, lon: 5.1 },
    { tag: 'c', lat: 53, lon: 5.1 },
  ]);
  await insertWeatherReadings(db.pool, 'a', start, start + HOUR, { lat: 52.0, lon: 5.1 });
  await insertWeatherReadings(db.pool, 'b', start, start + HOUR / 2, { lat: 52.5, lon: 5.1 });
  const job = new ScoringJob(db.pool, new HoursRepository(db.pool), new ScoresRepository(db.pool), {
    logger: silentLogger,
  });
  const result = await job.scoreEpoch(start, start + HOUR);
  console.log(
    JSON.stringify(
      result.scores.map((s) => ({ d: s.device.slice(0, 6), q: s.quality, l: s.locationScore, r: s.reasons })),
    ),
  );
  const { rows } = await db.pool.query(
    'SELECT device_id, version, quality, location_score, reasons FROM device_epoch_scores',
  );
  console.log(rows);
  expect(rows.length).toBe(3);
});
