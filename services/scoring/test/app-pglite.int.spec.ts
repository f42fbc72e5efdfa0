import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { migrate } from '@groundtruth/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, listeningApp, scoreShortEpochLive } from './app-support.js';
import { outdoorWeather, registerDevices, storeReadings, testDevice } from './support/fleet.js';

/**
 * The embedded network's database: PGlite served over the PostgreSQL wire protocol by pglite-socket (one backend,
 * no COPY, no NOTIFY), with the pool as small as the embedded network keeps it and SCORING_COPY=false.
 */
let db: PGlite;
let server: PGLiteSocketServer;
let pool: pg.Pool;
let url: string;

beforeAll(async () => {
  db = await PGlite.create();
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  await migrate(url, { log: () => {} });
  pool = new pg.Pool({ connectionString: url, max: 3 });
}, 180_000);

afterAll(async () => {
  await pool?.end();
  await server?.stop();
  await db?.close();
});

describe('scoring service on PGlite over pglite-socket', () => {
  it('scores a just-ended 20 s epoch moments after its grace period, and rewards sees it ready', async () => {
    const outcome = await scoreShortEpochLive(pool, url, { SCORING_COPY: 'false' });
    console.log(`scoring short epoch (PGlite): ready ${outcome.readyDelayMs} ms after end + grace`);
    expect(outcome.readyDelayMs).toBeLessThan(5_000);
    expect(outcome.scores.find((s) => s.device === outcome.station.id)!.quality).toBeGreaterThan(0.9);

    // and the API explains it and re-scores it on the same small pool; a rescore that outlasts the wait (0 s
    // here) is accepted, runs on, and is found in the epoch's runs with the scheduled run's digest
    const { app, url: api } = await listeningApp(
      {
        DATABASE_URL: url,
        SCORING_EPOCH_SECONDS: '20',
        SCORING_GRACE_SECONDS: '5',
        SCORING_COPY: 'false',
        SCORING_OPERATOR_TOKENS: 'operator=embedded-operator',
        SCORING_RESCORE_WAIT_SECONDS: '0',
      },
      { pool },
    );
    try {
      const q = await call(api, 'GET', `/devices/${outcome.station.id}/quality?epoch=${outcome.epoch}`);
      expect(q.status).toBe(200);
      expect(q.body).toMatchObject({ epoch: outcome.epoch, version: 'qod-1.0.0' });
      const accepted = await call(api, 'POST', `/epochs/${outcome.epoch}/rescore`, {
        token: 'embedded-operator',
        body: { reason: 'repeat on PGlite' },
      });
      expect(accepted).toMatchObject({
        status: 202,
        body: { status: 'accepted', epoch: outcome.epoch, runs: `/epochs/${outcome.epoch}/runs` },
      });
      let runs: { kind: string; status: string; digest: string | null }[] = [];
      const deadline = Date.now() + 30_000;
      while (!(runs.length === 2 && runs[1]!.status === 'done') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        runs = (await call(api, 'GET', accepted.body.runs)).body.runs;
      }
      expect(runs.map((r) => [r.kind, r.status])).toEqual([
        ['scheduled', 'done'],
        ['rescore', 'done'],
      ]);
      expect(runs[1]!.digest).toBe(runs[0]!.digest);
    } finally {
      await app.close();
    }
  });

  it("scores a demo fleet's 60 s epoch with six hours of readings behind it well within the epoch", async () => {
    // Given 12 stations reporting every 10 s for six hours (the embedded fleet's rate), 26k readings
    const T = Date.UTC(2026, 5, 1, 12, 0);
    const fleet = Array.from({ length: 12 }, (_, i) =>
      testDevice(5000 + i, 'weather', { lat: 52 + 0.01 * i, lon: 5.1, alt: 2 }, 10),
    );
    await registerDevices(pool, fleet);
    for (const [i, station] of fleet.entries()) {
      await storeReadings(pool, station, outdoorWeather(station, T - 6 * 3_600_000, 6 + 1 / 60, 90 + i));
    }
    const { app } = await listeningApp(
      { DATABASE_URL: url, SCORING_EPOCH_SECONDS: '60', SCORING_GRACE_SECONDS: '15', SCORING_COPY: 'false' },
      { pool },
    );
    try {
      // When one 60 s epoch is scored (its readings plus the checks' six-hour lookback)
      const started = performance.now();
      const run = await app.job.scoreEpoch(T, T + 60_000);
      const ms = performance.now() - started;
      console.log(
        `scoring one 60 s epoch of 12 stations on PGlite: ${Math.round(ms)} ms, ${run.stats.readings} readings read`,
      );

      // Then every station is scored, in far less than an epoch
      expect(run.scores.filter((s) => fleet.some((f) => f.id === s.device))).toHaveLength(12);
      expect(run.scores.find((s) => s.device === fleet[0]!.id)!.availability).toBe(1);
      expect(ms).toBeLessThan(30_000);
    } finally {
      await app.close();
    }
  });
});
