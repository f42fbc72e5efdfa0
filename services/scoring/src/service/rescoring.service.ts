import { Injectable } from '@nestjs/common';
import { ScoresRepository, type RunKind } from '../db/scores.repository.js';
import { ScoringError } from '../errors.js';
import { compareVersions } from '../core/version.js';
import { checkAppeal, type AppealRequest } from '../appeal/appeal-request.js';
import { ScoringApiError } from '../http/api-error.js';
import type { OperatorToken } from '@groundtruth/service-kit';
import { ScoringJob, type EpochRunResult } from '../job/scoring.job.js';
import { epochWindow, parseEpoch, type EpochWindow } from '../schedule/epoch-calendar.js';
import { Clock, ScoringLogger, ScoringSettings } from '../scoring.deps.js';
import { ServiceMetrics } from '../service.metrics.js';
import { QualityRepository } from './quality.repository.js';
import { runView, type RunView } from './views.js';

export interface RescoreBody {
  readonly reason: string;
  readonly version?: string;
  readonly device?: string;
}

export interface AppealBody {
  readonly request: AppealRequest;
  readonly signature: string;
}

/** A device's score before and after a run that scored it. */
export interface ScoreChange {
  readonly device: string;
  readonly before: { readonly version: string; readonly quality: number } | null;
  readonly after: { readonly version: string; readonly quality: number; readonly reasons: readonly string[] } | null;
}

export type RescoreOutcome =
  | {
      readonly status: 'done';
      readonly epoch: number;
      readonly run: RunView;
      /** the last earlier finished run of the same scope and version, and whether this one reproduced its digest */
      readonly repeat_of: {
        readonly run_id: number;
        readonly digest: string | null;
        readonly same_digest: boolean;
      } | null;
      readonly change: ScoreChange | null;
    }
  | {
      /** still running when the wait ended: follow it at `runs` */
      readonly status: 'accepted';
      readonly epoch: number;
      readonly runs: string;
    };

/**
 * Re-scoring as a recorded, repeatable operation: an operator re-scores an epoch (or one device of it) with a
 * version no older than its scores; an owner appeals an epoch of their device to a newer version, signing the
 * request with the owner wallet. Each becomes a run in the ledger (`rescoring_runs`) with who asked, why, the
 * version and the digest of what it wrote; repeating a run with the same data and version reproduces its digest.
 */
@Injectable()
export class RescoringService {
  private readonly appealsInFlight = new Set<string>();

  constructor(
    private readonly job: ScoringJob,
    private readonly quality: QualityRepository,
    private readonly scores: ScoresRepository,
    private readonly settings: ScoringSettings,
    private readonly clock: Clock,
    private readonly metrics: ServiceMetrics,
    private readonly log: ScoringLogger,
  ) {}

  async rescore(epochText: string, body: RescoreBody, operator: OperatorToken): Promise<RescoreOutcome> {
    const window = parseEpoch(this.settings.calendar, epochText);
    if (this.clock.now() < window.closableAt) {
      throw new ScoringApiError('EPOCH_NOT_ENDED', `epoch ${window.epoch} has not ended (plus grace) yet`, {
        epoch: window.epoch,
        closable_at: new Date(window.closableAt).toISOString(),
      });
    }
    const version = body.version ?? this.job.latestVersion();
    this.job.params(version);
    if (body.device !== undefined && !(await this.quality.device(body.device))) {
      throw new ScoringError('DEVICE_NOT_FOUND', `no device ${body.device} is registered`, { device: body.device });
    }
    const current = await this.quality.newestVersion(window.startsAt, window.endsAt, body.device);
    if (current !== undefined && compareVersions(version, current) < 0) {
      throw new ScoringError(
        'VERSION_NOT_NEWER',
        `epoch ${window.epoch} is scored with ${current}; a rescore may not go back to ${version}`,
        { epoch: window.epoch, version, current },
      );
    }
    return this.run('rescore', window, {
      version,
      requestedBy: `operator:${operator.name}`,
      reason: body.reason,
      ...(body.device === undefined ? {} : { device: body.device }),
      ...(current === undefined ? {} : { previousVersion: current }),
    });
  }

  async appeal(id: string, body: AppealBody): Promise<RescoreOutcome> {
    const { request } = body;
    if (request.device !== id) {
      throw new ScoringApiError('VALIDATION', 'request.device must be the device of the path', {
        path: 'request.device',
      });
    }
    const device = await this.quality.device(id);
    if (!device) {
      throw new ScoringError('DEVICE_NOT_FOUND', `no device ${id} is registered`, { device: id });
    }
    if (device.ownerWallet === null) {
      throw new ScoringApiError('NO_OWNER_WALLET', 'the device has no owner wallet on record to sign an appeal', {
        device: id,
      });
    }
    const window = epochWindow(this.settings.calendar, request.epoch);
    checkAppeal(request, body.signature, device.ownerWallet, this.clock.now(), this.settings.appealMaxValidityMs);
    this.job.params(request.version);
    const current = await this.quality.newestVersion(window.startsAt, window.endsAt, id);
    if (current === undefined) {
      throw new ScoringError('EPOCH_NOT_SCORED', `epoch ${window.epoch} of device ${id} has not been scored yet`, {
        device: id,
        epoch: window.epoch,
      });
    }
    if (compareVersions(request.version, current) <= 0) {
      throw new ScoringError(
        'VERSION_NOT_NEWER',
        `epoch ${window.epoch} of device ${id} is already scored with ${current}; an appeal needs a newer version`,
        { device: id, epoch: window.epoch, version: request.version, current },
      );
    }
    const key = `${id}|${window.epoch}|${request.version}`;
    if (this.appealsInFlight.has(key)) {
      throw new ScoringApiError('APPEAL_IN_PROGRESS', 'the same appeal is already being scored', {
        device: id,
        epoch: window.epoch,
        version: request.version,
      });
    }
    this.appealsInFlight.add(key);
    try {
      return await this.run(
        'appeal',
        window,
        {
          version: request.version,
          requestedBy: `owner:${device.ownerWallet}`,
          reason: request.reason,
          device: id,
          previousVersion: current,
        },
        () => this.appealsInFlight.delete(key),
      );
    } catch (error) {
      this.appealsInFlight.delete(key);
      throw error;
    }
  }

  /** Starts the run, waits up to the configured time for it, and reports what it did. */
  private async run(
    kind: RunKind,
    window: EpochWindow,
    options: { version: string; requestedBy: string; reason: string; device?: string; previousVersion?: string },
    settled?: () => void,
  ): Promise<RescoreOutcome> {
    const before =
      options.device === undefined
        ? undefined
        : await this.scores
            .score(options.device, window.startsAt)
            .then((s) => (s?.end === window.endsAt ? s : undefined));
    const running = this.job.scoreEpoch(window.startsAt, window.endsAt, { kind, ...options });
    void running.then(
      (result) => {
        settled?.();
        this.metrics.rescores.inc({ kind, outcome: 'done' });
        this.log.info('scoring_rescored', {
          kind,
          epoch: window.epoch,
          run_id: result.runId,
          version: result.version,
          device: options.device,
          requested_by: options.requestedBy,
          digest: result.digest,
        });
      },
      (error: unknown) => {
        settled?.();
        this.metrics.rescores.inc({ kind, outcome: 'failed' });
        this.log.warn('scoring_rescore_failed', { kind, epoch: window.epoch, device: options.device, error });
      },
    );
    const result = await waitFor(running, this.settings.rescoreWaitMs);
    if (result === undefined) {
      return { status: 'accepted', epoch: window.epoch, runs: `/epochs/${window.epoch}/runs` };
    }
    const stored = await this.scores.run(result.runId);
    const earlier = (await this.quality.runs(window.startsAt, window.endsAt, options.device)).filter(
      (r) =>
        r.id < result.runId &&
        r.status === 'done' &&
        r.version === result.version &&
        r.device === (options.device ?? null),
    );
    const previous = earlier.at(-1);
    const after = options.device === undefined ? undefined : result.scores.find((s) => s.device === options.device);
    return {
      status: 'done',
      epoch: window.epoch,
      run: runView(stored!, this.settings.calendar),
      repeat_of: previous
        ? { run_id: previous.id, digest: previous.digest, same_digest: previous.digest === result.digest }
        : null,
      change:
        options.device === undefined
          ? null
          : {
              device: options.device,
              before: before ? { version: before.version, quality: before.quality } : null,
              after: after ? { version: after.version, quality: after.quality, reasons: after.reasons } : null,
            },
    };
  }
}

/** The run's result, or undefined if it is still running after `ms` (its errors still reach the caller). */
async function waitFor(running: Promise<EpochRunResult>, ms: number): Promise<EpochRunResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
