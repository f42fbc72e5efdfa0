import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { clearSkyGhi, sunElevation } from '../sun.js';
import { checkSolar } from './solar.js';

const utrecht = { lat: 52.09, lon: 5.12 };
const meta = { declared: utrecht };

describe('solar check', () => {
  it('flags light at night above 15 W/m² and UV at night, not 15 W/m²', () => {
    const start = Date.UTC(2026, 5, 21, 23, 0);
    const irr = [0, 15, 16];
    const result = runChecks(
      'weather',
      regular(3, (i) => ({ solar_irradiance: irr[i]!, uv_index: i === 0 ? 1 : 0 }), { start }),
      [checkSolar],
      { meta },
    );
    expect(result.flaggedBy('solar')).toEqual([0, 2]);
    expect(result.invalidVariables(0)).toEqual(['uv_index']);
    expect(result.invalidVariables(2)).toEqual(['solar_irradiance']);
  });

  it('flags irradiance far above what a clear sky gives at that sun elevation', () => {
    const ts = Date.UTC(2026, 5, 21, 6, 0);
    const clear = clearSkyGhi(sunElevation(ts, utrecht.lat, utrecht.lon));
    const irr = [clear * 1.5 + 99, clear * 1.5 + 101];
    const readings = irr.map((x, i) => ({ seq: i + 1, ts: ts + i * 1000, metrics: { solar_irradiance: x } }));
    expect(runChecks('weather', readings, [checkSolar], { meta }).flaggedBy('solar')).toEqual([1]);
  });

  it('calls a daylight hour dark (indoor or shaded) when its brightest minute stays under 2 % of clear sky', () => {
    // Given 11:00–12:00 UTC on a June day in Utrecht (sun at ~60°, clear sky ~850 W/m²)
    const start = Date.UTC(2026, 5, 21, 11, 0);
    const dark = runChecks(
      'weather',
      regular(60, () => ({ solar_irradiance: 12, uv_index: 0 }), { start }),
      [checkSolar],
      { meta },
    );
    expect(dark.flaggedBy('shade')).toHaveLength(60);
    expect(dark.invalidVariables(0)).toEqual(['solar_irradiance', 'uv_index']);
    // An overcast hour with one brighter minute (50 W/m²) is not dark
    const overcast = runChecks(
      'weather',
      regular(60, (i) => ({ solar_irradiance: i === 30 ? 50 : 12 }), { start }),
      [checkSolar],
      { meta },
    );
    expect(overcast.flaggedBy('shade')).toEqual([]);
    // Nor is an hour at dawn, whatever it reads
    const dawn = runChecks(
      'weather',
      regular(60, () => ({ solar_irradiance: 0 }), { start: Date.UTC(2026, 5, 21, 3, 0) }),
      [checkSolar],
      { meta },
    );
    expect(dawn.flaggedBy('shade')).toEqual([]);
  });

  it('needs a declared position', () => {
    const result = runChecks(
      'weather',
      regular(3, () => ({ solar_irradiance: 900 }), { start: Date.UTC(2026, 5, 21, 23) }),
      [checkSolar],
    );
    expect(result.flaggedBy('solar')).toEqual([]);
  });
});
