/**
 * Pure parsing of DSMR P1 telegrams (Dutch Smart Meter Requirements 4.x and 5.0.2, also Belgian e-MUCS):
 *
 *     /ISk5\2MT382-1000            header: / + 3-letter maker + baud id + identification
 *                                  (blank line)
 *     1-3:0.2.8(50)                OBIS reference(value*unit) lines
 *     0-0:1.0.0(101209113020W)     YYMMDDhhmmss + S (summer, UTC+2) / W (winter, UTC+1)
 *     1-0:1.8.1(123456.789*kWh)    ...
 *     !EF2F                        ! + CRC16 (ARC: poly 0xA001 reflected, init 0) over "/" .. "!" inclusive
 *
 * Outputs the energy catalogue in SI units (kWh → Wh, kW → W). Lines with OBIS codes this bridge does not use
 * are skipped; a malformed line it does use refuses the telegram. Pure: no I/O.
 */
import type { SensorSample } from './adapter.js';
import { accept, refuse, type FrameResult } from './frame-result.js';
import { roundTo } from './units.js';

/** CRC-16/ARC over bytes (the DSMR 4/5 telegram checksum). */
export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
  }
  return crc;
}

/** The 4 upper-case hex digits a telegram carries after `!`. */
export const dsmrCrcText = (telegramUpToBang: string): string =>
  crc16Arc(Buffer.from(telegramUpToBang, 'latin1')).toString(16).toUpperCase().padStart(4, '0');

/** OBIS reference → catalogue metric, the unit the spec prescribes and its factor to SI. */
const OBIS_METRICS: Readonly<
  Record<string, { metric: string; units: Readonly<Record<string, number>>; decimals: number }>
> = {
  '1-0:1.8.1': { metric: 'energy_import_t1', units: { kWh: 1000, Wh: 1 }, decimals: 0 },
  '1-0:1.8.2': { metric: 'energy_import_t2', units: { kWh: 1000, Wh: 1 }, decimals: 0 },
  '1-0:2.8.1': { metric: 'energy_export_t1', units: { kWh: 1000, Wh: 1 }, decimals: 0 },
  '1-0:2.8.2': { metric: 'energy_export_t2', units: { kWh: 1000, Wh: 1 }, decimals: 0 },
  '1-0:1.7.0': { metric: 'power_import', units: { kW: 1000, W: 1 }, decimals: 0 },
  '1-0:2.7.0': { metric: 'power_export', units: { kW: 1000, W: 1 }, decimals: 0 },
  '1-0:32.7.0': { metric: 'voltage_l1', units: { V: 1 }, decimals: 1 },
  '1-0:52.7.0': { metric: 'voltage_l2', units: { V: 1 }, decimals: 1 },
  '1-0:72.7.0': { metric: 'voltage_l3', units: { V: 1 }, decimals: 1 },
  '1-0:31.7.0': { metric: 'current_l1', units: { A: 1 }, decimals: 2 },
  '1-0:51.7.0': { metric: 'current_l2', units: { A: 1 }, decimals: 2 },
  '1-0:71.7.0': { metric: 'current_l3', units: { A: 1 }, decimals: 2 },
};

export interface P1Telegram {
  /** the identification line without the leading `/` */
  readonly header: string;
  /** 1-3:0.2.8 (e.g. `50`, `42`), or the Belgian 0-0:96.1.4 */
  readonly version?: string;
  readonly equipmentId?: string;
  /** 0-0:96.14.0: 1 = low tariff (T1), 2 = normal tariff (T2) */
  readonly tariff?: number;
  readonly sample: SensorSample;
}

export interface DsmrParseOptions {
  /** bridge clock, used when the telegram carries no 0-0:1.0.0 timestamp */
  readonly now: number;
  /** refuse telegrams without a CRC (DSMR < 4 has none); default true */
  readonly requireCrc?: boolean;
}

const LINE = /^(\d+-\d+:\d+\.\d+\.\d+)(?:\.255)?((?:\([^()]*\))+)$/;
const VALUE = /^(\d+(?:\.\d+)?)(?:\*([A-Za-z0-9]+))?$/;
const TIMESTAMP = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW])$/;

/** `YYMMDDhhmmssX` (local Dutch time, X = S summer / W winter) → UTC ms; undefined if malformed. */
export function parseDsmrTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) {
    return undefined;
  }
  const [yy, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const offsetHours = m[7] === 'S' ? 2 : 1;
  return Date.UTC(2000 + yy, mo - 1, d, h - offsetHours, mi, s);
}

/** Checks the CRC of a complete telegram text (`/` .. `!XXXX`, optional trailing CR LF). */
export function checkDsmrCrc(telegram: string, requireCrc = true): FrameResult<string> {
  const bang = telegram.lastIndexOf('!');
  if (!telegram.startsWith('/') || bang < 0) {
    return refuse('truncated', 'telegram lacks the / header or the ! end');
  }
  const given = telegram.slice(bang + 1).trim();
  if (given === '') {
    return requireCrc ? refuse('bad_crc', 'CRC missing (DSMR < 4?)') : accept(telegram.slice(0, bang));
  }
  if (!/^[0-9A-Fa-f]{4}$/.test(given)) {
    return refuse('bad_crc', `CRC field "${given.slice(0, 8)}" is not 4 hex digits`);
  }
  const computed = dsmrCrcText(telegram.slice(0, bang + 1));
  return given.toUpperCase() === computed
    ? accept(telegram.slice(0, bang))
    : refuse('bad_crc', `CRC ${given} != ${computed}`);
}

/** Parses one complete telegram. */
export function parseDsmrTelegram(telegram: string, options: DsmrParseOptions): FrameResult<P1Telegram> {
  const checked = checkDsmrCrc(telegram, options.requireCrc ?? true);
  if (!checked.ok) {
    return checked;
  }
  const lines = checked.value.split(/\r\n|\n/);
  const header = lines[0]!.slice(1).trim();
  if (!/^[A-Za-z]{3}\d/.test(header)) {
    return refuse('garbage', `header "/${header.slice(0, 20)}" is not /XXXn...`);
  }
  const metrics: Record<string, number> = {};
  let ts: number | undefined;
  let version: string | undefined;
  let equipmentId: string | undefined;
  let tariff: number | undefined;
  for (const line of lines.slice(1)) {
    const m = LINE.exec(line.trim());
    if (!m) {
      continue; // blank line, or a shape this bridge does not use (M-Bus profile lines, wrapped text)
    }
    const obis = m[1]!;
    const values = m[2]!.slice(1, -1).split(')(');
    const first = values[0]!;
    if (obis === '0-0:1.0.0') {
      ts = parseDsmrTimestamp(first);
      if (ts === undefined) {
        return refuse('garbage', `timestamp "${first}"`);
      }
    } else if (obis === '1-3:0.2.8' || (obis === '0-0:96.1.4' && version === undefined)) {
      version = first;
    } else if (obis === '0-0:96.1.1') {
      equipmentId = first;
    } else if (obis === '0-0:96.14.0') {
      tariff = Number(first);
    } else {
      const spec = OBIS_METRICS[obis];
      if (!spec) {
        continue;
      }
      const v = VALUE.exec(first);
      if (!v) {
        return refuse('garbage', `${obis} value "${first}"`);
      }
      const factor = v[2] === undefined ? undefined : spec.units[v[2]];
      if (factor === undefined) {
        return refuse(
          'impossible_unit',
          `${obis} in "${v[2] ?? 'no unit'}", expected ${Object.keys(spec.units).join('/')}`,
        );
      }
      metrics[spec.metric] = roundTo(Number(v[1]) * factor, spec.decimals);
    }
  }
  if (Object.keys(metrics).length === 0) {
    return refuse('no_data', 'telegram carries no electricity value');
  }
  return accept({ header, version, equipmentId, tariff, sample: { ts: ts ?? options.now, metrics } });
}
