/**
 * Pure NMEA 0183 parsing of the two sentences a position needs: GGA (fix quality, satellites, HDOP,
 * altitude above mean sea level) and RMC (validity, date, speed and course over ground). Any talker (GP, GN,
 * GL, GA, BD). The `*hh` checksum (XOR of the characters between `$` and `*`) is required and checked.
 */
import { parseDecimal, accept, refuse, type FrameResult } from './frame-result.js';
import { KNOT_MS } from './units.js';

export interface GgaSentence {
  readonly type: 'GGA';
  readonly talker: string;
  readonly timeOfDayMs?: number;
  readonly lat?: number;
  readonly lon?: number;
  /** 0 invalid, 1 GPS, 2 DGPS, 3 PPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning, 7 manual, 8 simulation */
  readonly quality: number;
  readonly sats?: number;
  readonly hdop?: number;
  /** metres above mean sea level */
  readonly alt?: number;
}

export interface RmcSentence {
  readonly type: 'RMC';
  readonly talker: string;
  readonly timeOfDayMs?: number;
  /** status A (active) vs V (void) */
  readonly valid: boolean;
  readonly lat?: number;
  readonly lon?: number;
  readonly speedMs?: number;
  readonly courseDeg?: number;
  /** UTC midnight of the date field, ms */
  readonly dateMs?: number;
}

export interface OtherSentence {
  readonly type: 'other';
  readonly address: string;
}

export type NmeaSentence = GgaSentence | RmcSentence | OtherSentence;

/** XOR of the characters between `$` and `*`, as two upper-case hex digits. */
export function nmeaChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    sum ^= body.charCodeAt(i);
  }
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/** Wraps a sentence body (without `$` and `*hh`) into a full sentence. */
export const nmeaSentence = (body: string): string => `$${body}*${nmeaChecksum(body)}`;

const PRINTABLE = /^[\x20-\x7e]+$/;

function parseTime(text: string): number | undefined | null {
  if (text === '') {
    return undefined;
  }
  const m = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(text);
  if (!m) {
    return null;
  }
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return h > 23 || mi > 59 || s >= 61 ? null : Math.round(((h * 60 + mi) * 60 + s) * 1000);
}

/** `ddmm.mmmm` + hemisphere → signed degrees; null when malformed or impossible. */
function parseCoordinate(text: string, hemisphere: string, degreeDigits: 2 | 3): number | undefined | null {
  if (text === '' && hemisphere === '') {
    return undefined;
  }
  const value = parseDecimal(text);
  if (value === undefined || value < 0 || text.indexOf('.') !== (text.includes('.') ? degreeDigits + 2 : -1)) {
    return null;
  }
  const degrees = Math.floor(value / 100);
  const minutes = value - degrees * 100;
  const limit = degreeDigits === 2 ? 90 : 180;
  const signed = (degrees + minutes / 60) * (hemisphere === 'S' || hemisphere === 'W' ? -1 : 1);
  const okHemisphere =
    degreeDigits === 2 ? hemisphere === 'N' || hemisphere === 'S' : hemisphere === 'E' || hemisphere === 'W';
  return minutes >= 60 || Math.abs(signed) > limit || !okHemisphere ? null : signed;
}

function optionalNumber(text: string | undefined): number | undefined | null {
  if (text === undefined || text === '') {
    return undefined;
  }
  return parseDecimal(text) ?? null;
}

/** Parses one sentence line (with or without the trailing CR LF). Never throws. */
export function parseNmeaSentence(line: string): FrameResult<NmeaSentence> {
  const text = line.trim();
  if (!text.startsWith('$') || !PRINTABLE.test(text)) {
    return refuse('garbage', `not an NMEA sentence: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const star = text.lastIndexOf('*');
  if (star < 0) {
    return refuse('bad_checksum', 'checksum missing');
  }
  const body = text.slice(1, star);
  const given = text.slice(star + 1).toUpperCase();
  if (!/^[0-9A-F]{2}$/.test(given) || given !== nmeaChecksum(body)) {
    return refuse('bad_checksum', `checksum ${given} != ${nmeaChecksum(body)}`);
  }
  const fields = body.split(',');
  const address = fields[0]!;
  const kind = address.length === 5 && !address.startsWith('P') ? address.slice(2) : '';
  if (kind === 'GGA') {
    return parseGga(address.slice(0, 2), fields);
  }
  if (kind === 'RMC') {
    return parseRmc(address.slice(0, 2), fields);
  }
  return accept({ type: 'other', address });
}

function parseGga(talker: string, f: string[]): FrameResult<GgaSentence> {
  if (f.length < 10) {
    return refuse('truncated', `GGA has ${f.length} fields, needs at least 10`);
  }
  const timeOfDayMs = parseTime(f[1]!);
  const lat = parseCoordinate(f[2]!, f[3]!, 2);
  const lon = parseCoordinate(f[4]!, f[5]!, 3);
  const quality = Number(f[6] === '' ? '0' : f[6]);
  const sats = optionalNumber(f[7]);
  const hdop = optionalNumber(f[8]);
  const alt = optionalNumber(f[9]);
  if (timeOfDayMs === null || sats === null || hdop === null || alt === null) {
    return refuse('garbage', `unreadable GGA field in ${f.join(',')}`);
  }
  if (lat === null || lon === null || !Number.isInteger(quality) || quality < 0 || quality > 8) {
    return refuse('impossible_value', `GGA position or quality out of range: ${f.slice(2, 7).join(',')}`);
  }
  if (quality > 0 && (lat === undefined || lon === undefined)) {
    return refuse('truncated', `GGA quality ${quality} without a position`);
  }
  return accept({ type: 'GGA', talker, timeOfDayMs, lat, lon, quality, sats, hdop, alt });
}

function parseRmc(talker: string, f: string[]): FrameResult<RmcSentence> {
  if (f.length < 10) {
    return refuse('truncated', `RMC has ${f.length} fields, needs at least 10`);
  }
  const timeOfDayMs = parseTime(f[1]!);
  const lat = parseCoordinate(f[3]!, f[4]!, 2);
  const lon = parseCoordinate(f[5]!, f[6]!, 3);
  const knots = optionalNumber(f[7]);
  const courseDeg = optionalNumber(f[8]);
  const date = /^(\d{2})(\d{2})(\d{2})$/.exec(f[9]!);
  if (
    timeOfDayMs === null ||
    knots === null ||
    courseDeg === null ||
    (f[9] !== '' && !date) ||
    (f[2] !== 'A' && f[2] !== 'V')
  ) {
    return refuse('garbage', `unreadable RMC field in ${f.join(',')}`);
  }
  if (lat === null || lon === null || (knots ?? 0) < 0 || (courseDeg ?? 0) < 0 || (courseDeg ?? 0) > 360) {
    return refuse('impossible_value', `RMC position, speed or course out of range: ${f.slice(3, 9).join(',')}`);
  }
  let dateMs: number | undefined;
  if (date) {
    const yy = Number(date[3]);
    // Two-digit years: 80-99 are 1980-1999 (GPS epoch 1980), 00-79 are 2000-2079.
    const [d, m, y] = [Number(date[1]), Number(date[2]), yy >= 80 ? 1900 + yy : 2000 + yy];
    dateMs = Date.UTC(y, m - 1, d);
    if (new Date(dateMs).getUTCDate() !== d || m < 1 || m > 12) {
      return refuse('impossible_value', `RMC date ${f[9]}`);
    }
  }
  const speedMs = knots === undefined ? undefined : knots * KNOT_MS;
  return accept({ type: 'RMC', talker, timeOfDayMs, valid: f[2] === 'A', lat, lon, speedMs, courseDeg, dateMs });
}
