import type { HardwareKind } from '@groundtruth/protocol';
import type { CheckContext } from './context.js';
import { checkClockSkew } from './checks/clock-skew.js';
import { checkDewPoint } from './checks/dew-point.js';
import { checkEnergyBalance } from './checks/energy-balance.js';
import { checkGnss } from './checks/gnss.js';
import { checkGust } from './checks/gust.js';
import { checkImportExport } from './checks/import-export.js';
import { checkIngestFlags } from './checks/ingest-flags.js';
import { checkJump } from './checks/jump.js';
import { checkClone, checkLocation } from './checks/location.js';
import { checkOdometer } from './checks/odometer.js';
import { checkRange } from './checks/range.js';
import { checkRegisters } from './checks/registers.js';
import { checkRpmSpeed } from './checks/rpm-speed.js';
import { checkSeq } from './checks/seq.js';
import { checkSolar } from './checks/solar.js';
import { checkSpeedMismatch } from './checks/speed-mismatch.js';
import { checkStuck } from './checks/stuck.js';
import { checkTeleport } from './checks/teleport.js';
import { checkVoltage } from './checks/voltage.js';

export type ReadingCheck = (ctx: CheckContext) => void;

const COMMON: readonly ReadingCheck[] = [checkRange, checkClockSkew, checkSeq, checkIngestFlags, checkJump, checkStuck];

/** The per-reading checks each kind runs, in dependency order (GNSS before anything that uses fixes). */
export const PIPELINES: Readonly<Record<HardwareKind, readonly ReadingCheck[]>> = {
  weather: [...COMMON, checkDewPoint, checkGust, checkSolar, checkGnss, checkLocation, checkClone],
  vehicle: [
    ...COMMON,
    checkGnss,
    checkTeleport,
    checkSpeedMismatch,
    checkRpmSpeed,
    checkOdometer,
    checkLocation,
    checkClone,
  ],
  energy: [
    ...COMMON,
    checkRegisters,
    checkEnergyBalance,
    checkVoltage,
    checkImportExport,
    checkGnss,
    checkLocation,
    checkClone,
  ],
};
