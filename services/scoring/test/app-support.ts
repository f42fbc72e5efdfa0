import type { AddressInfo } from 'node:net';
import { PgEpochScoreSource, epochWindow as rewardsEpochWindow, rewardsConfigSchema } from '@groundtruth/rewards';
import { createMetricsRegistry, parseConfig, silentLogger } from '@groundtruth/service-kit';
import type pg from 'pg';
import { expect } from 'vitest';
import { createScoringApp, type ScoringApp, type ScoringAppDeps } from '../src/scoring.app.js';
import { scoringConfigSchema } from '../src/scoring.config.js';
import { epochAt, epochWindow, type EpochWindow } from '../src/schedule/epoch-calendar.js';
import { outdoorWeather, registerDevices, storeReadings, testDevice, type TestDevice } from './support/fleet.js';

/** A scoring app listening on a free port of 127.0.0.1. */
export async function listeningApp(
  env: Record<string, string>,
  deps: ScoringAppDeps,
): Promise<{ app: ScoringApp; url: string }> {
  const app = await createScoringApp(parseConfig(scoringConfigSchema, env), {
    logger: silentLogger,
    metricsRegistry: createMetricsRegistry({ service: 'scoring' }),
    ...deps,
  });
  await app.http.listen(0, '127.0.0.1');
  const { port } = app.http.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** A JSON answer as tests read it: by shape, with `expect` checking what is there. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by expect(), not by the compiler
export type Json = any;

export interface Answer<T = Json> {
  readonly status: number;
  readonly body: T;
}

/** One JSON request; `raw` sends a body as is (malformed JSON tests). */
export async function call<T = Json>(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.raw !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (options.token !== undefined) {
    headers.authorization = `Bearer ${options.token}`;
  }
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.raw !== undefined ? { body: options.raw } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: (type.includes('json') ? JSON.parse(text) : text) as T };
}

export interface ShortEpochOutcome {
  readonly epoch: number;
  readonly window: EpochWindow;
  readonly station: TestDevice;
  /** from the end of the grace period until the rewards service's source said ready */
  readonly readyDelayMs: number;
  readonly scores: Awaited<ReturnType<PgEpochScoreSource['scoresFor']>>;
  readonly health: Json;
}

/**
 * The embedded network's case, in real time: 20 s epochs with 5 s grace, the runner's loop started as the
 * launcher starts it, a station reporting every 2 s through the next epoch. Waits until the rewards service's
 * own score source (its config parsed from the same numbers) says the epoch is ready, then reads its scores.
 */
export async function scoreShortEpochLive(
  pool: pg.Pool,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ShortEpochOutcome> {
  const scoringEnv = { DATABASE_URL: databaseUrl, SCORING_EPOCH_SECONDS: '20', SCORING_GRACE_SECONDS: '5', ...env };
  const rewardsCalendar = parseConfig(rewardsConfigSchema, {
    DATABASE_URL: databaseUrl,
    REWARDS_EPOCH_SECONDS: '20',
    REWARDS_GRACE_SECONDS: '5',
  }).calendar;
  const calendar = parseConfig(scoringConfigSchema, scoringEnv).calendar;
  // Given a station registered an hour ago that reports every 2 s from a minute before the next epoch to after it
  const station = testDevice(4242, 'weather', { lat: 52.1, lon: 5.1, alt: 3 }, 2);
  await registerDevices(pool, [station], new Date(Date.now() - 3_600_000).toISOString());
  const epoch = epochAt(calendar, Date.now()) + 1;
  const window = epochWindow(calendar, epoch);
  const from = window.startsAt - 60_000;
  await storeReadings(pool, station, outdoorWeather(station, from, (window.endsAt + 10_000 - from) / 3_600_000, 3));
  // both services agree on the window, and rewards does not see it ready before scoring ran
  const rewardsWindow = rewardsEpochWindow(rewardsCalendar, epoch);
  expect(rewardsWindow).toEqual(window);
  const source = new PgEpochScoreSource(pool);
  expect(await source.ready(rewardsWindow)).toBe(false);

  // When the scoring service runs its loop as the launcher starts it
  const { app, url } = await listeningApp(scoringEnv, { pool });
  app.start();
  try {
    const deadline = window.closableAt + 30_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await source.ready(rewardsWindow);
    }
    const readyAt = Date.now();
    expect(ready).toBe(true);
    const health = (await call(url, 'GET', '/health')).body;
    return {
      epoch,
      window,
      station,
      readyDelayMs: readyAt - window.closableAt,
      scores: await source.scoresFor(rewardsWindow),
      health,
    };
  } finally {
    await app.close();
  }
}
