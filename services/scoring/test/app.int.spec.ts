import { keyPairFromSeed, NodeCryptoSigner, type DeviceKeyPair } from '@groundtruth/protocol';
import { PgEpochScoreSource, epochWindow as rewardsEpochWindow } from '@groundtruth/rewards';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appealMessage, type AppealRequest } from '../src/appeal/appeal-request.js';
import { QOD_1_0_0 } from '../src/core/algorithms.js';
import type { ScoringParams } from '../src/core/params.js';
import type { ScoringApp } from '../src/scoring.app.js';
import { epochAt, epochWindow } from '../src/schedule/epoch-calendar.js';
import { call, listeningApp, scoreShortEpochLive, type Answer } from './app-support.js';
import { freshDatabase } from './support/db.js';
import { outdoorWeather, registerDevices, storeReadings, testDevice, type TestDevice } from './support/fleet.js';

const GENESIS = Date.UTC(2025, 0, 1);
const DAYS = { genesisMs: GENESIS, durationMs: 86_400_000, graceMs: 3_600_000 };
const DAY = Date.UTC(2026, 5, 1);
const E = epochAt(DAYS, DAY);
const TOKEN = 'alice=scoring-test-operator-token';
const OPERATOR = 'scoring-test-operator-token';
/** A second version that this build could roll out: what appeals and rescores move to. */
const QOD_1_1_0: ScoringParams = Object.freeze({ ...QOD_1_0_0, version: 'qod-1.1.0', reasonMinCost: 0.03 });
const ALGORITHMS = new Map([
  [QOD_1_0_0.version, QOD_1_0_0],
  [QOD_1_1_0.version, QOD_1_1_0],
]);

describe('scoring service on TimescaleDB', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let app: ScoringApp;
  let url: string;
  const now = epochWindow(DAYS, E).closableAt + 60_000;
  const owner: DeviceKeyPair = keyPairFromSeed(new Uint8Array(32).fill(0x33));
  const stations: TestDevice[] = Array.from({ length: 8 }, (_, i) =>
    testDevice(300 + i, 'weather', { lat: 52.05 + 0.02 * (i % 4), lon: 5.1 + 0.03 * Math.floor(i / 4), alt: 5 + i }),
  );
  const [clean, stuck, indoor] = stations as [TestDevice, TestDevice, TestDevice];
  const silent = testDevice(399, 'weather', { lat: 52.1, lon: 5.2 });

  beforeAll(async () => {
    db = await freshDatabase(inject('databaseUrl'));
    pool = db.pool;
    // Given eight stations within 10 km of each other, one of them with a frozen temperature sensor and one
    // indoors, and a ninth that never reports; the stuck station's owner has a real wallet
    await registerDevices(pool, [...stations, silent]);
    await pool.query(`UPDATE devices SET owner_wallet = $1 WHERE device_id = $2`, [owner.deviceId, stuck.id]);
    for (const [i, station] of stations.entries()) {
      let readings = outdoorWeather(station, DAY, 24, 11 + i);
      if (station === stuck) {
        readings = readings.map((r) => ({ ...r, metrics: { ...r.metrics, temperature: 14.2 } }));
      } else if (station === indoor) {
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
      }
      await storeReadings(pool, station, readings);
    }
    ({ app, url } = await listeningApp(
      {
        DATABASE_URL: db.url,
        SCORING_OPERATOR_TOKENS: TOKEN,
        SCORING_VERSION: 'qod-1.0.0',
        SCORING_FIRST_EPOCH: String(E),
      },
      { pool, now: () => now, algorithms: ALGORITHMS },
    ));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('the runner scores the day once its grace period has passed, and the rewards service sees it ready', async () => {
    const window = rewardsEpochWindow(DAYS, E);
    const source = new PgEpochScoreSource(pool);
    expect(await source.ready(window)).toBe(false);

    // When a pass runs an hour and a minute after the day ended
    const report = await app.runner.runOnce();

    // Then it rolled up the day's hours, scored the epoch once, and rewards finds every device's score
    expect(report).toMatchObject({ scored: [{ epoch: E, devices: 9 }], more: false });
    expect(await source.ready(window)).toBe(true);
    const scores = await source.scoresFor(window);
    expect(scores.map((s) => s.device).sort()).toEqual([...stations, silent].map((s) => s.id).sort());
    expect(scores.every((s) => s.algorithmVersion === 'qod-1.0.0')).toBe(true);
    const { rows } = await pool.query(
      `SELECT count(DISTINCT hour)::int AS n FROM device_hour WHERE version = 'qod-1.0.0'`,
    );
    expect(rows[0].n).toBe(24);
    // and a second pass has nothing to do
    expect(await app.runner.runOnce()).toMatchObject({ scored: [] });
  });

  it('explains the stuck station: reason code, the costliest check and example readings as stored', async () => {
    const answer = await call(url, 'GET', `/devices/${stuck.id}/quality?epoch=${E}`);
    expect(answer.status).toBe(200);
    const q = answer.body;
    expect(q).toMatchObject({ device: stuck.id, kind: 'weather', epoch: E, version: 'qod-1.0.0' });
    expect(q.reasons).toContain('STUCK_VALUES');
    expect(q.quality).toBeLessThan(0.9);
    expect(q.costliest[0]).toMatchObject({ check: 'stuck', reason: 'STUCK_VALUES' });
    expect(q.costliest[0].cost).toBeGreaterThan(0.05);
    const example = q.costliest[0].examples[0];
    expect(example.variables).toContain('temperature');
    expect(example.reading.values.temperature).toBe(14.2);
    expect(q.summary).toContain(`lost to stuck (STUCK_VALUES)`);
    expect(q.reason_details.find((r: { code: string }) => r.code === 'STUCK_VALUES').meaning).toMatch(/unchanged/);
    // without ?epoch the newest scored epoch is explained
    expect((await call(url, 'GET', `/devices/${stuck.id}/quality`)).body.epoch).toBe(E);
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await call(url, 'GET', `/devices/${stuck.id}/quality?epoch=${E}`);
      times.push(performance.now() - started);
    }
    console.log(`GET /devices/:id/quality median ${times.sort((a, b) => a - b)[10]!.toFixed(1)} ms (TimescaleDB)`);
  });

  it('explains the indoor station with the neighbour checks and what they compared', async () => {
    const q = (await call(url, 'GET', `/devices/${indoor.id}/quality?epoch=${E}&top=5`)).body;
    expect(q.reasons).toEqual(expect.arrayContaining(['SPATIAL_OUTLIER', 'SHADED_OR_INDOOR']));
    const buddy = q.costliest.find((c: { check: string }) => c.check === 'buddy');
    expect(buddy.examples.length).toBeGreaterThan(0);
    expect(buddy.examples[0]).toHaveProperty('hour');
    expect(buddy.examples[0].detail).toBeTruthy();
    const cleanQ = (await call(url, 'GET', `/devices/${clean.id}/quality?epoch=${E}`)).body;
    expect(cleanQ.quality).toBeGreaterThan(0.97);
    expect(cleanQ.reasons).toEqual(['LOCATION_UNVERIFIED']);
    const silentQ = (await call(url, 'GET', `/devices/${silent.id}/quality?epoch=${E}`)).body;
    expect(silentQ).toMatchObject({ quality: 0, costliest: [{ check: 'missing_data', reason: 'NO_DATA' }] });
  });

  it('lists a device’s recent epochs and every device of an epoch', async () => {
    const history = await call(url, 'GET', `/devices/${stuck.id}/scores`);
    expect(history.body).toMatchObject({ device: stuck.id, scores: [{ epoch: E, version: 'qod-1.0.0' }] });
    const older = await call(url, 'GET', `/devices/${stuck.id}/scores?before=${E}`);
    expect(older.body).toMatchObject({ scores: [], next_before: null });
    const epoch = await call(url, 'GET', `/epochs/${E}/scores`);
    expect(epoch.body).toMatchObject({ epoch: E, complete: true });
    expect(epoch.body.scores).toHaveLength(9);
    const page = await call(url, 'GET', `/epochs/${E}/scores?limit=4`);
    expect(page.body.scores).toHaveLength(4);
    const rest = await call(url, 'GET', `/epochs/${E}/scores?limit=10&after=${page.body.next_after}`);
    expect([...page.body.scores, ...rest.body.scores].map((s: { device: string }) => s.device)).toEqual(
      epoch.body.scores.map((s: { device: string }) => s.device),
    );
  });

  it("re-scores the owner's appeal with the newer version, records it, and refuses the replay", async () => {
    // Given the owner's signed appeal of the stuck station's epoch to qod-1.1.0
    const request: AppealRequest = {
      device: stuck.id,
      epoch: E,
      version: 'qod-1.1.0',
      reason: 'the sensor was replaced on the 1st',
      expires_at: now + 5 * 60_000,
    };
    const signature = Buffer.from(new NodeCryptoSigner(owner).sign(appealMessage(request))).toString('base64');

    // When it is filed
    const answer = await call(url, 'POST', `/devices/${stuck.id}/appeals`, { body: { request, signature } });

    // Then the device is re-scored with the new version, as a recorded appeal run
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'done',
      epoch: E,
      run: {
        kind: 'appeal',
        status: 'done',
        version: 'qod-1.1.0',
        previous_version: 'qod-1.0.0',
        device: stuck.id,
        requested_by: `owner:${owner.deviceId}`,
        reason: request.reason,
        epoch: E,
        devices_scored: 1,
      },
      change: { device: stuck.id, before: { version: 'qod-1.0.0' }, after: { version: 'qod-1.1.0' } },
    });
    const run = await call(url, 'GET', `/runs/${answer.body.run.id}`);
    expect(run.body).toMatchObject({ id: answer.body.run.id, kind: 'appeal', digest: answer.body.run.digest });
    // what rewards reads for the device is now the appealed version; the explanation lists the older one too
    const scores = await new PgEpochScoreSource(pool).scoresFor(rewardsEpochWindow(DAYS, E));
    expect(scores.find((s) => s.device === stuck.id)?.algorithmVersion).toBe('qod-1.1.0');
    const q = (await call(url, 'GET', `/devices/${stuck.id}/quality?epoch=${E}`)).body;
    expect(q.version).toBe('qod-1.1.0');
    expect(q.other_versions).toEqual([expect.objectContaining({ version: 'qod-1.0.0' })]);
    // the same signed appeal again is refused: the epoch already has that version
    const replay = await call(url, 'POST', `/devices/${stuck.id}/appeals`, { body: { request, signature } });
    expect(replay).toMatchObject({ status: 409, body: { error: { code: 'VERSION_NOT_NEWER' } } });
    // and an appeal signed by another key, or altered, is refused
    const forged = await call(url, 'POST', `/devices/${stuck.id}/appeals`, {
      body: { request: { ...request, version: 'qod-1.1.0', reason: 'altered' }, signature },
    });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'BAD_OWNER_SIGNATURE' } } });
  });

  it('re-scores an epoch for an operator, repeatably, and records each run', async () => {
    // When an operator re-scores the epoch with the newest version, twice
    const first = await call(url, 'POST', `/epochs/${E}/rescore`, {
      token: OPERATOR,
      body: { reason: 'roll out qod-1.1.0' },
    });
    const second = await call(url, 'POST', `/epochs/${E}/rescore`, { token: OPERATOR, body: { reason: 'repeat' } });

    // Then both are recorded runs of the whole epoch, and the second reproduced the first's digest
    expect(first.status).toBe(200);
    expect(first.body.run).toMatchObject({
      kind: 'rescore',
      status: 'done',
      version: 'qod-1.1.0',
      requested_by: 'operator:alice',
      device: null,
      devices_scored: 9,
    });
    expect(second.body.repeat_of).toEqual({
      run_id: first.body.run.id,
      digest: first.body.run.digest,
      same_digest: true,
    });
    const runs = (await call(url, 'GET', `/epochs/${E}/runs`)).body.runs as { kind: string; reason: string }[];
    expect(runs.map((r) => r.kind)).toEqual(['scheduled', 'appeal', 'rescore', 'rescore']);
    // going back to the older version is refused
    const older = await call(url, 'POST', `/epochs/${E}/rescore`, {
      token: OPERATOR,
      body: { reason: 'back', version: 'qod-1.0.0' },
    });
    expect(older).toMatchObject({ status: 409, body: { error: { code: 'VERSION_NOT_NEWER' } } });
  });

  it('answers mistakes with typed codes', async () => {
    const unknown = testDevice(77_777, 'weather', { lat: 0, lon: 0 }).id;
    const cases: [Promise<Answer>, number, string][] = [
      [call(url, 'GET', `/devices/${unknown}/quality`), 404, 'DEVICE_NOT_FOUND'],
      [call(url, 'GET', `/devices/not-a-device/quality`), 400, 'VALIDATION'],
      [call(url, 'GET', `/devices/${stuck.id}/quality?epoch=abc`), 400, 'BAD_EPOCH'],
      [call(url, 'GET', `/devices/${stuck.id}/quality?epoch=-3`), 400, 'BAD_EPOCH'],
      [call(url, 'GET', `/devices/${stuck.id}/quality?epoch=${E + 1}`), 404, 'EPOCH_NOT_SCORED'],
      [call(url, 'GET', `/epochs/${E - 1}/scores`), 404, 'EPOCH_NOT_SCORED'],
      [call(url, 'GET', `/epochs/x/scores`), 400, 'BAD_EPOCH'],
      [call(url, 'GET', `/runs/987654`), 404, 'RUN_NOT_FOUND'],
      [call(url, 'GET', `/nowhere`), 404, 'NOT_FOUND'],
      [call(url, 'POST', `/epochs/${E}/rescore`, { body: { reason: 'x' } }), 401, 'UNAUTHENTICATED'],
      [call(url, 'POST', `/epochs/${E}/rescore`, { body: { reason: 'x' }, token: 'wrong' }), 403, 'FORBIDDEN'],
      [
        call(url, 'POST', `/epochs/${E + 1}/rescore`, { body: { reason: 'x' }, token: OPERATOR }),
        409,
        'EPOCH_NOT_ENDED',
      ],
      [
        call(url, 'POST', `/epochs/${E}/rescore`, { body: { reason: 'x', version: 'qod-9.0.0' }, token: OPERATOR }),
        400,
        'UNKNOWN_VERSION',
      ],
      [call(url, 'POST', `/epochs/${E}/rescore`, { raw: '{"reason":', token: OPERATOR }), 400, 'MALFORMED_JSON'],
      [call(url, 'POST', `/epochs/${E}/rescore`, { body: {}, token: OPERATOR }), 400, 'VALIDATION'],
    ];
    for (const [pending, status, code] of cases) {
      const answer = await pending;
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
      expect(answer.body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('serves /health, /versions, /metrics and the OpenAPI document', async () => {
    const health = await call(url, 'GET', '/health');
    expect(health.body).toMatchObject({
      status: 'ok',
      calendar: { epoch_seconds: 86_400, grace_seconds: 3_600 },
      versions: { scheduled: 'qod-1.0.0', latest: 'qod-1.1.0', available: ['qod-1.0.0', 'qod-1.1.0'] },
      runner: { lastScoredEpoch: E, lastError: null },
    });
    const metrics = (await call(url, 'GET', '/metrics')).body as unknown as string;
    expect(metrics).toMatch(/gt_scoring_job_duration_seconds_count\{[^}]*operation="scheduled"[^}]*\} 1/);
    expect(metrics).toMatch(/gt_scoring_runner_passes_total\{[^}]*outcome="done"[^}]*\} 2/);
    expect(metrics).toMatch(/gt_scoring_api_refusals_total\{[^}]*code="BAD_EPOCH"/);
    expect(metrics).toMatch(/gt_scoring_rescores_total\{[^}]*kind="appeal"[^}]*outcome="done"/);
    expect(metrics).toMatch(/gt_process_cpu_seconds_total/);
    const doc = (await call(url, 'GET', '/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/devices/{id}/quality',
        '/devices/{id}/scores',
        '/devices/{id}/appeals',
        '/epochs/{epoch}/scores',
        '/epochs/{epoch}/rescore',
        '/epochs/{epoch}/runs',
        '/runs/{id}',
      ]),
    );
  });
});

describe('scoring service runner with short demo epochs (TimescaleDB)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase(inject('databaseUrl'));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('scores a just-ended 20 s epoch moments after its grace period, and rewards sees it ready', async () => {
    const outcome = await scoreShortEpochLive(db.pool, db.url);
    console.log(`scoring short epoch (TimescaleDB): ready ${outcome.readyDelayMs} ms after end + grace`);
    expect(outcome.readyDelayMs).toBeLessThan(5_000);
    const score = outcome.scores.find((s) => s.device === outcome.station.id)!;
    expect(score.quality).toBeGreaterThan(0.9);
    expect(outcome.health.runner.lastScoredEpoch).toBeGreaterThanOrEqual(outcome.epoch);
  });
});
