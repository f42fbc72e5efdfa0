import { CHECKS } from './checks.js';

/**
 * Reason codes of an epoch score, in the order they are listed. Stable strings: the API, the rewards manifest and
 * dashboards carry them. Never rename or reuse one; add new ones.
 */
export const GENERAL_REASONS = [
  'SUSPENDED',
  'REVOKED',
  'NO_DATA',
  'LOW_AVAILABILITY',
  'QUALITY_BELOW_THRESHOLD',
  'LOCATION_UNDECLARED',
  'LOCATION_UNVERIFIED',
  'RELOCATED',
] as const;

export type GeneralReason = (typeof GENERAL_REASONS)[number];
/** Per-check reasons (`CHECKS[i].reason`), given when a check cost quality or found evidence. */
export type CheckReason = (typeof CHECKS)[number]['reason'];
export type ReasonCode = GeneralReason | CheckReason;

export const REASON_CODES: readonly ReasonCode[] = [
  ...GENERAL_REASONS,
  ...new Set(CHECKS.map((check) => check.reason)),
];

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
}
