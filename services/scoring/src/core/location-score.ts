import { C } from './checks.js';
import type { DeviceMeta } from './device-meta.js';
import { distanceM } from './geo.js';
import type { HourRollup } from './hour-rollup.js';
import type { ScoringParams } from './params.js';
import { HOUR_MS } from './time.js';

/** An hour's observed position (median of good fixes), e.g. from before the epoch for the relocation cooldown. */
export interface ObservedHour {
  readonly hour: number;
  readonly obsN: number;
  readonly obsLat: number;
  readonly obsLon: number;
  readonly locMismatch: number;
}

export type LocationStatus = 'verified' | 'partly_verified' | 'unverified' | 'undeclared' | 'cloned' | 'cooldown';

export interface LocationOutcome {
  readonly score: number;
  readonly status: LocationStatus;
  readonly hoursObserved: number;
  readonly hoursVerified: number;
  readonly cloneEvidence: number;
  readonly observed?: { readonly lat: number; readonly lon: number; readonly distanceM?: number };
  readonly relocatedAt?: number;
  readonly cooldownUntil?: number;
}

/**
 * The epoch's location score. Vehicles: the share of their fixes that passed the GNSS, teleport and speed checks
 * and lie inside the operating area. Clone evidence counts readings at two places at once and quarantined
 * messages that signed a stored seq again with other content.
 * Stationary devices: the share of observed hours whose median fix lies within `maxDistanceM` of the declared
 * location and outside a relocation cooldown. A relocation is the observed position settling, for
 * `relocationMinHours`, at a place farther than `maxDistanceM` from where it was (history before the epoch
 * included); the hours of the following `cooldownHours` do not count as verified. Without observed positions
 * the kind's `unverifiedScore` applies. Clone evidence (one key at two places) gives 0.
 */
export function locationScore(
  meta: DeviceMeta,
  hours: readonly HourRollup[],
  history: readonly ObservedHour[],
  params: ScoringParams,
): LocationOutcome {
  const p = params.location;
  let cloneEvidence = 0;
  for (const h of hours) {
    cloneEvidence += h.fail[C.clone]!;
  }
  const unverified = (
    status: LocationStatus,
    score: number,
    extra: Partial<LocationOutcome> = {},
  ): LocationOutcome => ({
    score,
    status,
    hoursObserved: 0,
    hoursVerified: 0,
    cloneEvidence,
    ...extra,
  });
  if (cloneEvidence >= p.cloneMinEvidence) {
    return unverified('cloned', 0);
  }
  if (meta.kind === 'vehicle') {
    return vehicleScore(hours, p.unverifiedScore.vehicle, cloneEvidence);
  }
  if (!meta.declared) {
    return unverified('undeclared', 0);
  }
  const declared = meta.declared;
  const observed = [...history, ...hours].filter((h) => h.obsN > 0).sort((a, b) => a.hour - b.hour);
  let anchor: ObservedHour | undefined;
  let candidate: ObservedHour | undefined;
  let candidateHours = 0;
  let relocatedAt: number | undefined;
  let cooldownUntil = -Infinity;
  const epochStart = hours.length > 0 ? Math.min(...hours.map((h) => h.hour)) : Infinity;
  let hoursObserved = 0;
  let hoursVerified = 0;
  let last: ObservedHour | undefined;
  for (const h of observed) {
    if (!anchor) {
      anchor = h;
    } else if (distanceM(anchor.obsLat, anchor.obsLon, h.obsLat, h.obsLon) > p.maxDistanceM) {
      if (candidate && distanceM(candidate.obsLat, candidate.obsLon, h.obsLat, h.obsLon) <= p.maxDistanceM) {
        candidateHours++;
      } else {
        candidate = h;
        candidateHours = 1;
      }
      if (candidateHours >= p.relocationMinHours) {
        anchor = candidate;
        relocatedAt = candidate.hour;
        cooldownUntil = candidate.hour + p.cooldownHours * HOUR_MS;
        candidate = undefined;
      }
    } else {
      candidate = undefined;
    }
    if (h.hour < epochStart) {
      continue;
    }
    hoursObserved++;
    last = h;
    const near = distanceM(declared.lat, declared.lon, h.obsLat, h.obsLon) <= p.maxDistanceM;
    if (near && h.locMismatch * 2 <= h.obsN && h.hour >= cooldownUntil) {
      hoursVerified++;
    }
  }
  const cooling = relocatedAt !== undefined && cooldownUntil > epochStart;
  if (hoursObserved === 0) {
    return unverified('unverified', p.unverifiedScore[meta.kind], relocated(relocatedAt, cooling, cooldownUntil));
  }
  const score = hoursVerified / hoursObserved;
  return {
    score,
    status: cooling ? 'cooldown' : score === 1 ? 'verified' : 'partly_verified',
    hoursObserved,
    hoursVerified,
    cloneEvidence,
    observed: {
      lat: last!.obsLat,
      lon: last!.obsLon,
      distanceM: Math.round(distanceM(declared.lat, declared.lon, last!.obsLat, last!.obsLon)),
    },
    ...relocated(relocatedAt, cooling, cooldownUntil),
  };
}

function relocated(at: number | undefined, cooling: boolean, until: number): Partial<LocationOutcome> {
  return at === undefined ? {} : { relocatedAt: at, ...(cooling ? { cooldownUntil: until } : {}) };
}

function vehicleScore(hours: readonly HourRollup[], unverifiedScore: number, cloneEvidence: number): LocationOutcome {
  const position = hours[0] ? hours[0].present.length - 1 : 0;
  let fixes = 0;
  let valid = 0;
  let hoursObserved = 0;
  let hoursVerified = 0;
  for (const h of hours) {
    const present = h.present[position] ?? 0;
    fixes += present;
    // fixes outside the operating area do not verify the location, however plausible the track
    valid += Math.max(0, (h.valid[position] ?? 0) - h.locMismatch);
    hoursObserved += present > 0 ? 1 : 0;
    hoursVerified += present > 0 && h.valid[position] === present && h.locMismatch === 0 ? 1 : 0;
  }
  if (fixes === 0) {
    return { score: unverifiedScore, status: 'unverified', hoursObserved: 0, hoursVerified: 0, cloneEvidence };
  }
  const score = valid / fixes;
  return { score, status: score === 1 ? 'verified' : 'partly_verified', hoursObserved, hoursVerified, cloneEvidence };
}
