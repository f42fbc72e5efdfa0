/** NMEA 0183 GGA and RMC sentences as a GNSS receiver emits them, with valid checksums. Pure. */
import { nmeaSentence } from '../adapters/nmea.parser.js';
import { KNOT_MS } from '../adapters/units.js';

export interface FixToEncode {
  readonly ts: number;
  readonly lat: number;
  readonly lon: number;
  readonly alt: number;
  readonly sats: number;
  readonly hdop: number;
  /** 0 no fix, 1 GPS, 2 DGPS */
  readonly quality: number;
  readonly speedMs: number;
  readonly courseDeg: number;
}

function hhmmss(ts: number): string {
  const d = new Date(ts);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.${String(Math.floor(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;
}

function ddmmyy(ts: number): string {
  const d = new Date(ts);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}${two(d.getUTCMonth() + 1)}${two(d.getUTCFullYear() % 100)}`;
}

/** `ddmm.mmmmm,N` / `dddmm.mmmmm,E` */
function coordinate(value: number, degreeDigits: 2 | 3, positive: string, negative: string): string {
  const abs = Math.abs(value);
  let degrees = Math.floor(abs);
  let minutes = Number(((abs - degrees) * 60).toFixed(5));
  if (minutes >= 60) {
    degrees += 1;
    minutes = 0;
  }
  return `${String(degrees).padStart(degreeDigits, '0')}${minutes.toFixed(5).padStart(8, '0')},${value < 0 ? negative : positive}`;
}

export function ggaSentence(fix: FixToEncode, talker = 'GN'): string {
  const position = fix.quality > 0 ? `${coordinate(fix.lat, 2, 'N', 'S')},${coordinate(fix.lon, 3, 'E', 'W')}` : ',,,';
  const rest =
    fix.quality > 0
      ? `${fix.sats.toString().padStart(2, '0')},${fix.hdop.toFixed(1)},${fix.alt.toFixed(1)},M,46.9,M,,`
      : '00,99.9,,M,,M,,';
  return nmeaSentence(`${talker}GGA,${hhmmss(fix.ts)},${position},${fix.quality},${rest}`);
}

export function rmcSentence(fix: FixToEncode, talker = 'GN'): string {
  const valid = fix.quality > 0;
  const position = valid ? `${coordinate(fix.lat, 2, 'N', 'S')},${coordinate(fix.lon, 3, 'E', 'W')}` : ',,,';
  const knots = valid ? (fix.speedMs / KNOT_MS).toFixed(3) : '';
  const course = valid ? fix.courseDeg.toFixed(2) : '';
  return nmeaSentence(
    `${talker}RMC,${hhmmss(fix.ts)},${valid ? 'A' : 'V'},${position},${knots},${course},${ddmmyy(fix.ts)},,,${valid ? 'A' : 'N'}`,
  );
}
