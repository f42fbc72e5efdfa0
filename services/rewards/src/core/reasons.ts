/**
 * Why a manifest leaf carries the amount it does. Stable strings: they appear in manifests (and so in Merkle
 * roots), the API and metrics. Never rename or reuse one; add new codes at the end.
 */
export const REWARD_REASONS = [
  /** earned and paid to the owner wallet in this epoch */
  'rewarded',
  /** earned, but the device has no usable owner wallet: held until it has one */
  'held_no_wallet',
  /** owed (e.g. a sale credit) while the device is suspended: held until it is active again */
  'held_suspended',
  /** held in an earlier epoch, paid now that the device is active with a wallet */
  'released',
  /** the device is suspended or revoked: no emission */
  'suspended',
  /** quality under the threshold */
  'below_threshold',
  /** more devices of its kind in its H3 cell than the cell's capacity, and others ranked higher */
  'over_capacity',
  /** its kind is capacity-limited and it has no location to place it in a cell */
  'no_location',
  /** quality × location score × multiplier is zero */
  'zero_weight',
  /** registered, but the scoring service gave it no score for the epoch */
  'no_score',
  /** scored, but not in the registry */
  'unknown_device',
] as const;

export type RewardReason = (typeof REWARD_REASONS)[number];

/** Reasons under which a leaf's amount goes to its owner in this epoch's payouts. */
export const PAID_REASONS: ReadonlySet<RewardReason> = new Set(['rewarded', 'released']);

/** Reasons under which a leaf's amount is kept for a later epoch. */
export const HELD_REASONS: ReadonlySet<RewardReason> = new Set(['held_no_wallet', 'held_suspended']);
