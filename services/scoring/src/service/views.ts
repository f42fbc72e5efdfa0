import type { StoredRun } from '../db/scores.repository.js';
import { epochOfWindow, type EpochCalendar } from '../schedule/epoch-calendar.js';
import type { ScoreSummary } from '../db/scores.repository.js';
import type { RunSummary } from './quality.repository.js';

/** A run of the re-scoring ledger as the API shows it. */
export interface RunView {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  /** the calendar's epoch number, null when the window is not one of its epochs */
  readonly epoch: number | null;
  readonly start: string;
  readonly end: string;
  readonly version: string;
  readonly previous_version: string | null;
  readonly device: string | null;
  readonly requested_by: string;
  readonly reason: string;
  readonly requested_at: string;
  readonly finished_at: string | null;
  readonly devices_scored: number | null;
  readonly digest: string | null;
  readonly error: string | null;
}

export function runView(run: StoredRun, calendar: EpochCalendar): RunView {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    epoch: epochOfWindow(calendar, run.start, run.end) ?? null,
    start: new Date(run.start).toISOString(),
    end: new Date(run.end).toISOString(),
    version: run.version,
    previous_version: run.previousVersion ?? null,
    device: run.device ?? null,
    requested_by: run.requestedBy,
    reason: run.reason,
    requested_at: run.requestedAt,
    finished_at: run.finishedAt,
    devices_scored: run.devicesScored,
    digest: run.digest,
    error: run.error,
  };
}

export interface RunListItem {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  readonly version: string;
  readonly device: string | null;
  readonly requested_by: string;
  readonly reason: string;
  readonly requested_at: string;
  readonly finished_at: string | null;
  readonly devices_scored: number | null;
  readonly digest: string | null;
  readonly error: string | null;
}

export const runListItem = (r: RunSummary): RunListItem => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  version: r.version,
  device: r.device,
  requested_by: r.requestedBy,
  reason: r.reason,
  requested_at: r.requestedAt,
  finished_at: r.finishedAt,
  devices_scored: r.devicesScored,
  digest: r.digest,
  error: r.error,
});

/** One score in a listing. */
export interface ScoreView {
  readonly device: string;
  readonly kind: string;
  readonly epoch: number | null;
  readonly version: string;
  readonly quality: number;
  readonly location_score: number;
  readonly availability: number;
  readonly reasons: readonly string[];
  readonly scored_at: string;
  readonly run_id: number | null;
}

export const scoreView = (s: ScoreSummary, calendar: EpochCalendar): ScoreView => ({
  device: s.device,
  kind: s.kind,
  epoch: epochOfWindow(calendar, s.start, s.end) ?? null,
  version: s.version,
  quality: s.quality,
  location_score: s.locationScore,
  availability: s.availability,
  reasons: s.reasons,
  scored_at: s.scoredAt,
  run_id: s.runId,
});
