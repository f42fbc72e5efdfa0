import { CHECKS } from '../core/checks.js';
import { GENERAL_REASONS, type GeneralReason } from '../core/reasons.js';

/** What each general reason code means, for people reading an explanation. */
const GENERAL_MEANING: Record<GeneralReason, string> = {
  SUSPENDED: 'the device was suspended by an operator during the epoch: its quality counts as 0',
  REVOKED: 'the device was revoked: its quality counts as 0',
  NO_DATA: 'no readings arrived in the epoch',
  LOW_AVAILABILITY: 'fewer readings arrived than the availability threshold at the declared interval',
  QUALITY_BELOW_THRESHOLD: 'the measured quality is below the threshold that earns rewards in full',
  LOCATION_UNDECLARED: 'the device declared no location, so it cannot be verified',
  LOCATION_UNVERIFIED: 'the declared location could not be confirmed from observed positions',
  RELOCATED: 'the device moved; its location score is held back during the cooldown',
};

const CHECK_MEANING = new Map<string, string>(CHECKS.map((check) => [check.reason, check.about]));

/** The meaning of a reason code (general or per check); unknown codes (a newer version's) say so. */
export function reasonMeaning(code: string): string {
  if ((GENERAL_REASONS as readonly string[]).includes(code)) {
    return GENERAL_MEANING[code as GeneralReason];
  }
  return CHECK_MEANING.get(code) ?? 'reason code of another algorithm version';
}
