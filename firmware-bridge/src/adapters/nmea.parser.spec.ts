import { describe, expect, it } from 'vitest';
import { fixture, fixtureJson } from '../../test/fixtures.js';
import { nmeaChecksum, nmeaSentence, parseNmeaSentence } from './nmea.parser.js';

const session = fixture('nmea/session.nmea')
  .split('\r\n')
  .filter((line) => line.length > 0);
const parse = (line: string) => {
  const result = parseNmeaSentence(line);
  if (!result.ok) {
    throw new Error(`${line}: ${result.error.reason}`);
  }
  return result.value;
};

describe('NMEA 0183', () => {
  it('reads the textbook GGA (Munich, 545.4 m, 8 satellites)', () => {
    const gga = parse(session[0]!);
    expect(gga.type).toBe('GGA');
    if (gga.type !== 'GGA') {
      return;
    }
    expect(gga.lat).toBeCloseTo(48 + 7.038 / 60, 6);
    expect(gga.lon).toBeCloseTo(11 + 31 / 60, 6);
    expect(gga).toMatchObject({
      talker: 'GP',
      quality: 1,
      sats: 8,
      hdop: 0.9,
      alt: 545.4,
      timeOfDayMs: (12 * 3600 + 35 * 60 + 19) * 1000,
    });
  });

  it('reads the textbook RMC: 22.4 knots, course 84.4, 23 March 1994', () => {
    const rmc = parse(session[1]!);
    expect(rmc.type).toBe('RMC');
    if (rmc.type !== 'RMC') {
      return;
    }
    expect(rmc.valid).toBe(true);
    expect(rmc.speedMs).toBeCloseTo(11.5236, 4);
    expect(rmc.courseDeg).toBe(84.4);
    expect(rmc.dateMs).toBe(Date.UTC(1994, 2, 23));
  });

  it('signs southern and western coordinates, and reads DGPS fixes', () => {
    const gga = parse(session[7]!);
    expect(gga.type === 'GGA' && [gga.lat! < 0, gga.lon! < 0, gga.quality]).toEqual([true, true, 2]);
  });

  it('reports a GGA without fix as quality 0 with no position', () => {
    const gga = parse(session[8]!);
    expect(gga).toMatchObject({ type: 'GGA', quality: 0, lat: undefined, lon: undefined });
    expect(parse(session[9]!)).toMatchObject({ type: 'RMC', valid: false });
  });

  it('passes other sentences through as "other"', () => {
    expect(parse(session[4]!)).toEqual({ type: 'other', address: 'GNGSA' });
    expect(parse(session[5]!)).toEqual({ type: 'other', address: 'GPGSV' });
  });

  const malformed = fixtureJson<Record<string, string[]>>('nmea/malformed.json');
  const cases = Object.entries(malformed).flatMap(([reason, lines]) => lines.map((line) => ({ reason, line })));
  it.each(cases)('refuses $line as $reason', ({ reason, line }) => {
    const result = parseNmeaSentence(line);
    expect(!result.ok && result.error.reason).toBe(reason);
  });

  it('computes the checksum as the XOR of the body', () => {
    expect(nmeaChecksum('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe('47');
    expect(nmeaSentence('GPGLL,4916.45,N,12311.12,W,225444,A')).toBe('$GPGLL,4916.45,N,12311.12,W,225444,A*31');
  });
});
