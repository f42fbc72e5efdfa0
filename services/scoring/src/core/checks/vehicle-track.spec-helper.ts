import { METRES_PER_DEGREE } from '../geo.js';
import { regular } from '../harness.js';
import type { PlainReading } from '../series.js';

/** A vehicle driving east at `speed(i)` m/s along 52° N, one good fix a minute, rpm matching a gearbox. */
export function drive(
  count: number,
  speed: (i: number) => number,
  overrides: (i: number) => Partial<PlainReading['loc']> = () => ({}),
): PlainReading[] {
  const lat = 52;
  const metresPerLonDegree = METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180);
  let x = 0;
  const xs: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      x += ((speed(i - 1) + speed(i)) / 2) * 60;
    }
    xs.push(x);
  }
  return regular(
    count,
    (i) => ({
      speed: speed(i),
      rpm: speed(i) > 0 ? 800 + speed(i) * 60 : 800,
      gnss_fix: 1,
      odometer: 1_000_000 + Math.round(xs[i]! / 100) * 100,
    }),
    { loc: (i) => ({ lat, lon: 5 + xs[i]! / metresPerLonDegree, hdop: 0.9, sats: 10, ...overrides(i) }) },
  );
}
