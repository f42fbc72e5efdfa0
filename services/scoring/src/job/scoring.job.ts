import type { Logger } from '@groundtruth/service-kit';
import type pg from 'pg';
import { ALGORITHMS, latestVersion } from '../core/algorithms.js';
import type { DeviceMeta } from '../core/device-meta.js';
import { applyDriftCheck } from '../core/drift.js';
import { scoreEpoch as scoreDeviceEpoch, type EpochScore } from '../core/epoch.js';
import { pickExamples, type Example } from '../core/examples.js';
import { distanceM } from '../core/geo.js';
import type { ScoringParams } from '../core/params.js';
import { scoresDigest } from '../core/reward-score.js';
import { HOUR_MS } from '../core/time.js';
import { compareVersions } from '../core/version.js';
import { ScoringError } from '../errors.js';
import type { DeviceResult, HoursRepository } from '../db/hours.repository.js';
import type { RunKind, ScoresRepository } from '../db/scores.repository.js';
import { inTransaction } from '../db/sql.js';
import type { ScoringMetrics } from '../metrics.js';
import { computeHours, type ComputeStats, type ReadTuning } from './compute-hours.js';

export interface ScoringJobOptions {
  /** algorithm versions this job may score with (default: the built-in ones) */
  readonly algorithms?: ReadonlyMap<string, ScoringParams>;
  /** version of scheduled runs (default: the newest) */
  readonly version?: string;
  /** an hour is closed this long after its end (late readings), ms */
  readonly closeDelayMs?: number;
  /** with no watermark yet, how far back the first run starts, hours */
  readonly backfillHours?: number;
  /** hours scored per pass of scoreClosedHours */
  readonly chunkHours?: number;
  /** devices written per transaction */
  readonly writeChunkDevices?: number;
  /** how readings are read (copy on PostgreSQL/TimescaleDB, cursor on PGlite) */
  readonly read?: ReadTuning;
  readonly logger: Logger;
  readonly metrics?: ScoringMetrics;
}

export interface EpochRunOptions {
  readonly version?: string;
  readonly kind?: RunKind;
  readonly requestedBy?: string;
  readonly reason?: string;
  /** score only this device (its neighbours' data is read for the neighbour checks) */
  readonly device?: string;
  /** the version the scores being replaced were computed with (appeals), for the run record */
  readonly previousVersion?: string;
}

export interface EpochRunResult {
  readonly runId: number;
  readonly version: string;
  readonly digest: string;
  readonly scores: readonly EpochScore[];
  readonly stats: ComputeStats & { writeMs: number };
}

/**
 * The scheduled scoring job: hour rollups over closed hours, epoch scores, re-scores and appeals. Runs are
 * serialised in this process; each writes in transactions of `writeChunkDevices` devices that replace the same
 * rows when repeated.
 */
export class ScoringJob {
  private readonly algorithms: ReadonlyMap<string, ScoringParams>;
  readonly version: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly hoursRepo: HoursRepository,
    private readonly scoresRepo: ScoresRepository,
    private readonly options: ScoringJobOptions,
  ) {
    this.algorithms = options.algorithms ?? ALGORITHMS;
    this.version = options.version ?? latestVersion(this.algorithms);
    this.params(this.version);
  }

  params(version: string): ScoringParams {
    const params = this.algorithms.get(version);
    if (!params) {
      throw new ScoringError('UNKNOWN_VERSION', `no scoring algorithm ${version}`, {
        version,
        known: [...this.algorithms.keys()],
      });
    }
    return params;
  }

  latestVersion(): string {
    return latestVersion(this.algorithms);
  }

  /** The versions this job can score with, oldest first. */
  versions(): string[] {
    return [...this.algorithms.keys()].sort(compareVersions);
  }

  /** Rolls up every closed hour since the last run (up to `until` minus the close delay). */
  scoreClosedHours(until: number): Promise<{ from: number; to: number; devices: number; readings: number }> {
    return this.serial(async () => {
      const params = this.params(this.version);
      const to = Math.floor((until - (this.options.closeDelayMs ?? 10 * 60_000)) / HOUR_MS) * HOUR_MS;
      const backfill = (this.options.backfillHours ?? 48) * HOUR_MS;
      let from = (await this.hoursRepo.progress(this.version)) ?? (await this.firstHour(to - backfill)) ?? to;
      const total = { from, to, devices: 0, readings: 0 };
      const chunk = (this.options.chunkHours ?? 6) * HOUR_MS;
      const timer = this.options.metrics?.jobDuration.startTimer({ operation: 'closed_hours' });
      while (from < to) {
        const end = Math.min(from + chunk, to);
        const metas = await this.metaMap(end);
        const { results, stats } = await computeHours(this.pool, this.hoursRepo, params, { from, to: end }, metas, {
          onUnknownDevice: (device) => this.options.logger.warn('scoring_unknown_device', { device }),
          ...(this.options.read ? { read: this.options.read } : {}),
        });
        await this.writeHours(params, { from, to: end }, results, (client) =>
          this.hoursRepo.setProgress(client, this.version, end),
        );
        this.options.metrics?.countFlags(results);
        this.options.metrics?.readings.inc({ operation: 'closed_hours' }, stats.readings);
        total.devices = Math.max(total.devices, results.length);
        total.readings += stats.readings;
        this.options.logger.info('scoring_hours_scored', {
          from: new Date(from).toISOString(),
          to: new Date(end).toISOString(),
          ...stats,
        });
        from = end;
      }
      timer?.();
      return total;
    });
  }

  /**
   * Scores the epoch [start, end) from stored readings with one algorithm version (recomputing its hours), records
   * the run with a digest of the scores, and replaces that version's scores of the epoch (or of one device).
   */
  scoreEpoch(start: number, end: number, options: EpochRunOptions = {}): Promise<EpochRunResult> {
    return this.serial(() => this.runEpoch(start, end, options));
  }

  private async runEpoch(start: number, end: number, options: EpochRunOptions): Promise<EpochRunResult> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start)) {
      throw new ScoringError('BAD_EPOCH', 'an epoch is [start, end) in whole ms, end after start', { start, end });
    }
    const version = options.version ?? this.version;
    const params = this.params(version);
    const timer = this.options.metrics?.jobDuration.startTimer({ operation: options.kind ?? 'scheduled' });
    const allMetas = await this.metaMap(end);
    let targets = [...allMetas.values()];
    let readDevices: string[] | undefined;
    if (options.device) {
      const meta = allMetas.get(options.device);
      if (!meta) {
        throw new ScoringError('DEVICE_NOT_FOUND', `no device ${options.device} registered before the epoch ends`, {
          device: options.device,
        });
      }
      targets = [meta];
      readDevices = withNeighbours(meta, allMetas, params);
    }
    const runId = await this.scoresRepo.startRun({
      kind: options.kind ?? 'scheduled',
      requestedBy: options.requestedBy ?? 'scheduler',
      reason: options.reason ?? '',
      ...(options.device ? { device: options.device } : {}),
      ...(options.previousVersion ? { previousVersion: options.previousVersion } : {}),
      start,
      end,
      version,
    });
    try {
      const { results, stats } = await computeHours(
        this.pool,
        this.hoursRepo,
        params,
        { from: start, to: end },
        allMetas,
        {
          ...(readDevices ? { devices: readDevices } : {}),
          ...(this.options.read ? { read: this.options.read } : {}),
        },
      );
      const wanted = new Set(targets.map((m) => m.device));
      const written = results.filter((r) => wanted.has(r.meta.device));
      for (const result of written) {
        applyDriftCheck(result.meta, result.hours, params, start);
      }
      const byDevice = new Map(written.map((r) => [r.meta.device, r]));
      const history = await this.hoursRepo.observedHours(
        version,
        start - params.location.cooldownHours * HOUR_MS,
        start,
        options.device ? [options.device] : undefined,
      );
      const scored = targets.map((meta) => {
        const result = byDevice.get(meta.device);
        const score = scoreDeviceEpoch(
          { meta, start, end, hours: result?.hours ?? [], history: history.get(meta.device) ?? [] },
          params,
        );
        const examples: Example[] = pickExamples(score, meta.kind, result?.flagged ?? [], result?.hours ?? []);
        return { score, examples };
      });
      const digest = scoresDigest(scored);
      const writeStarted = performance.now();
      await this.writeHours(params, { from: start, to: end }, written);
      for (let i = 0; i < scored.length; i += this.chunkSize()) {
        const chunk = scored.slice(i, i + this.chunkSize());
        const last = i + this.chunkSize() >= scored.length;
        await inTransaction(this.pool, async (client) => {
          await this.scoresRepo.replaceScores(client, runId, chunk);
          if (last) {
            await this.scoresRepo.finishRun(client, runId, { devicesScored: scored.length, digest });
          }
        });
      }
      if (scored.length === 0) {
        await this.scoresRepo.finishRun(this.pool, runId, { devicesScored: 0, digest });
      }
      if (!options.device && version === this.version) {
        await this.advanceHourly(start, end);
      }
      const writeMs = performance.now() - writeStarted;
      for (const { score } of scored) {
        this.options.metrics?.scores.observe({ kind: score.kind, score: 'quality' }, score.quality);
        this.options.metrics?.scores.observe({ kind: score.kind, score: 'location' }, score.locationScore);
      }
      this.options.metrics?.countFlags(written);
      this.options.metrics?.readings.inc({ operation: 'epoch' }, stats.readings);
      timer?.();
      this.options.logger.info('scoring_epoch_scored', {
        runId,
        version,
        start: new Date(start).toISOString(),
        scored: scored.length,
        digest,
        ...stats,
        writeMs,
      });
      return { runId, version, digest, scores: scored.map((s) => s.score), stats: { ...stats, writeMs } };
    } catch (error) {
      await this.scoresRepo.failRun(runId, (error as Error).message).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The epoch's whole hours are rolled up now: the hourly job need not redo them, unless it is behind the epoch
   * (then it catches up over them itself).
   */
  private async advanceHourly(start: number, end: number): Promise<void> {
    const watermark = await this.hoursRepo.progress(this.version);
    const endHour = Math.floor(end / HOUR_MS) * HOUR_MS;
    if (watermark === undefined || watermark >= Math.ceil(start / HOUR_MS) * HOUR_MS) {
      await this.hoursRepo.setProgress(this.pool, this.version, endHour);
    }
  }

  private chunkSize(): number {
    return this.options.writeChunkDevices ?? 2000;
  }

  private async writeHours(
    params: ScoringParams,
    range: { from: number; to: number },
    results: readonly DeviceResult[],
    finish?: (client: pg.PoolClient) => Promise<void>,
  ): Promise<void> {
    const size = this.chunkSize();
    if (results.length === 0 && finish) {
      await inTransaction(this.pool, finish);
    }
    for (let i = 0; i < results.length; i += size) {
      const last = i + size >= results.length;
      await inTransaction(this.pool, async (client) => {
        await this.hoursRepo.replaceHours(client, params.version, params, range, results.slice(i, i + size));
        if (last && finish) {
          await finish(client);
        }
      });
    }
  }

  private async metaMap(before: number): Promise<Map<string, DeviceMeta>> {
    return new Map((await this.hoursRepo.devices(before)).map((meta) => [meta.device, meta]));
  }

  private async firstHour(from: number): Promise<number | undefined> {
    const firsts = await Promise.all(
      (['weather', 'vehicle', 'energy'] as const).map((kind) => this.hoursRepo.firstReading(kind, from)),
    );
    const known = firsts.filter((x): x is number => x !== undefined);
    return known.length > 0 ? Math.floor(Math.min(...known) / HOUR_MS) * HOUR_MS : undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** A weather station and the stations within the buddy radius (their data feeds its neighbour checks). */
function withNeighbours(meta: DeviceMeta, metas: ReadonlyMap<string, DeviceMeta>, params: ScoringParams): string[] {
  const declared = meta.declared;
  if (meta.kind !== 'weather' || !declared) {
    return [meta.device];
  }
  const ids = [meta.device];
  for (const other of metas.values()) {
    if (other.device !== meta.device && other.kind === 'weather' && other.declared) {
      if (
        distanceM(declared.lat, declared.lon, other.declared.lat, other.declared.lon) <= params.weather.buddy.radiusM
      ) {
        ids.push(other.device);
      }
    }
  }
  return ids.sort();
}
