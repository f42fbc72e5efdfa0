import { Injectable } from '@nestjs/common';
import type { EpochBreakdown } from '../core/epoch.js';
import { ScoresRepository } from '../db/scores.repository.js';
import { ScoringError } from '../errors.js';
import { explainScore, type QualityExplanation } from '../explain/explanation.js';
import { ScoringJob } from '../job/scoring.job.js';
import { epochOfWindow, epochWindow, parseEpoch, type EpochWindow } from '../schedule/epoch-calendar.js';
import { ScoringSettings } from '../scoring.deps.js';
import { QualityRepository, type DeviceRecord } from './quality.repository.js';
import { runListItem, runView, scoreView, type RunListItem, type RunView, type ScoreView } from './views.js';

export interface DeviceScoresView {
  readonly device: string;
  readonly kind: string;
  readonly scores: readonly ScoreView[];
  /** pass as `before` for older epochs; null at the end */
  readonly next_before: number | null;
}

export interface EpochScoresView {
  readonly epoch: number;
  readonly start: string;
  readonly end: string;
  /** a whole-epoch run has finished (what the rewards service waits for) */
  readonly complete: boolean;
  readonly version: string | null;
  readonly scores: readonly ScoreView[];
  /** pass as `after` for the next page; null at the end */
  readonly next_after: string | null;
}

export interface VersionsView {
  readonly scheduled: string;
  readonly latest: string;
  readonly available: readonly string[];
}

/** The read side of the API: explanations, score listings, runs. */
@Injectable()
export class QualityService {
  constructor(
    private readonly quality: QualityRepository,
    private readonly scores: ScoresRepository,
    private readonly job: ScoringJob,
    private readonly settings: ScoringSettings,
  ) {}

  async device(id: string): Promise<DeviceRecord> {
    const device = await this.quality.device(id);
    if (!device) {
      throw new ScoringError('DEVICE_NOT_FOUND', `no device ${id} is registered`, { device: id });
    }
    return device;
  }

  /** "Why did my device score 0.62?": the score of one epoch (default the newest scored) with its explanation. */
  async explain(id: string, query: { epoch?: string; version?: string; top: number }): Promise<QualityExplanation> {
    const calendar = this.settings.calendar;
    const device = await this.device(id);
    let window: EpochWindow;
    if (query.epoch !== undefined) {
      window = parseEpoch(calendar, query.epoch);
    } else {
      const start = await this.quality.latestEpochStart(id, calendar);
      if (start === undefined) {
        throw new ScoringError('EPOCH_NOT_SCORED', `device ${id} has no scored epoch yet`, { device: id });
      }
      window = epochWindow(calendar, epochOfWindow(calendar, start, start + calendar.durationMs)!);
    }
    const stored = await this.scores.score(id, window.startsAt, query.version);
    if (!stored || stored.end !== window.endsAt) {
      throw new ScoringError(
        'EPOCH_NOT_SCORED',
        `epoch ${window.epoch} of device ${id} has no score${query.version ? ` with ${query.version}` : ''} yet`,
        { device: id, epoch: window.epoch, ...(query.version ? { version: query.version } : {}) },
      );
    }
    const wanted = stored.examples.flatMap((e) => ('seq' in e ? [{ seq: e.seq, ts: e.ts }] : []));
    const [readings, versions] = await Promise.all([
      this.quality.readings(device.kind, id, wanted),
      this.quality.versions(id, window.startsAt, window.endsAt),
    ]);
    return explainScore(
      {
        device: id,
        kind: device.kind,
        epoch: window.epoch,
        start: window.startsAt,
        end: window.endsAt,
        version: stored.version,
        quality: stored.quality,
        locationScore: stored.locationScore,
        availability: stored.availability,
        reasons: stored.reasons,
        breakdown: stored.breakdown as unknown as EpochBreakdown,
        examples: stored.examples,
        scoredAt: stored.scoredAt,
        runId: stored.runId,
        readings,
        otherVersions: versions.filter((v) => v.version !== stored.version),
      },
      { top: query.top },
    );
  }

  async deviceScores(id: string, query: { limit: number; before?: number }): Promise<DeviceScoresView> {
    const calendar = this.settings.calendar;
    const device = await this.device(id);
    const before = query.before === undefined ? undefined : epochWindow(calendar, query.before).startsAt;
    const rows = await this.quality.history(id, calendar, {
      limit: query.limit,
      ...(before === undefined ? {} : { before }),
    });
    const views = rows.map((row) => scoreView(row, calendar));
    return {
      device: id,
      kind: device.kind,
      scores: views,
      next_before: views.length === query.limit ? views.at(-1)!.epoch : null,
    };
  }

  async epochScores(
    epochText: string,
    query: { version?: string; limit: number; after?: string },
  ): Promise<EpochScoresView> {
    const calendar = this.settings.calendar;
    const window = parseEpoch(calendar, epochText);
    const [rows, runs] = await Promise.all([
      this.quality.epochPage(window.startsAt, window.endsAt, query),
      this.quality.runs(window.startsAt, window.endsAt),
    ]);
    const complete = runs.some((r) => r.device === null && r.status === 'done');
    if (!complete && rows.length === 0 && query.after === undefined) {
      throw new ScoringError('EPOCH_NOT_SCORED', `epoch ${window.epoch} has not been scored yet`, {
        epoch: window.epoch,
        closable_at: new Date(window.closableAt).toISOString(),
      });
    }
    return {
      epoch: window.epoch,
      start: new Date(window.startsAt).toISOString(),
      end: new Date(window.endsAt).toISOString(),
      complete,
      version: query.version ?? null,
      scores: rows.map((row) => scoreView(row, calendar)),
      next_after: rows.length === query.limit ? rows.at(-1)!.device : null,
    };
  }

  async epochRuns(epochText: string): Promise<{ epoch: number; runs: RunListItem[] }> {
    const window = parseEpoch(this.settings.calendar, epochText);
    const runs = await this.quality.runs(window.startsAt, window.endsAt);
    return { epoch: window.epoch, runs: runs.map(runListItem) };
  }

  async run(id: number): Promise<RunView> {
    const run = await this.scores.run(id);
    if (!run) {
      throw new ScoringError('RUN_NOT_FOUND', `no scoring run ${id}`, { run: id });
    }
    return runView(run, this.settings.calendar);
  }

  versions(): VersionsView {
    return {
      scheduled: this.job.version,
      latest: this.job.latestVersion(),
      available: this.settings.versions,
    };
  }
}
