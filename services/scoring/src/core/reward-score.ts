import { canonicalize, type HardwareKind } from '@groundtruth/protocol';
import { createHash } from 'node:crypto';
import type { EpochScore } from './epoch.js';
import type { Example } from './examples.js';

/** What the rewards engine consumes per device and epoch. */
export interface RewardScore {
  readonly device: string;
  readonly kind: HardwareKind;
  /** 0..1, 6 decimals */
  readonly quality: number;
  /** 0..1, 6 decimals */
  readonly location_score: number;
  readonly reasons: readonly string[];
  readonly algorithm_version: string;
}

export function rewardScoreOf(score: EpochScore): RewardScore {
  return {
    device: score.device,
    kind: score.kind,
    quality: score.quality,
    location_score: score.locationScore,
    reasons: score.reasons,
    algorithm_version: score.version,
  };
}

/**
 * SHA-256 of the RFC 8785 JSON of the scores (with their breakdown and examples), sorted by device: what a
 * re-run of the same epoch and version must reproduce.
 */
export function scoresDigest(
  scores: readonly { readonly score: EpochScore; readonly examples: readonly Example[] }[],
): string {
  const sorted = [...scores].sort((a, b) =>
    a.score.device < b.score.device ? -1 : a.score.device > b.score.device ? 1 : 0,
  );
  const text = canonicalize(sorted.map(({ score, examples }) => ({ ...score, examples })));
  return createHash('sha256').update(text).digest('hex');
}
