/**
 * Seeded randomness for the simulators. Two kinds:
 * - `Prng`: a sequential generator (sfc32) for stepped models (drive cycles), reproducible from its seed;
 * - stateless hashing (`hash01`, `valueNoise`): a value per (seed, time bucket), so pure signal models give
 *   the same reading for the same instant no matter how often or in what order they are sampled.
 */

/** 32-bit hash of strings/numbers (FNV-1a, then a murmur3 finaliser). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = `${part}\u0000`;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
  }
  return mix32(h);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Uniform [0, 1) determined by a seed and integer coordinates. */
export function hash01(seed: number, a: number, b = 0): number {
  let h = mix32(seed ^ Math.imul(a | 0, 0x9e3779b1));
  h = mix32(h ^ Math.imul((a / 4294967296) | 0, 0x85ebca77) ^ Math.imul(b | 0, 0xc2b2ae3d));
  return h / 4294967296;
}

/**
 * Smooth noise in [-1, 1]: random values at knots every `periodMs`, joined with a smoothstep. Its
 * correlation time is about `periodMs`.
 */
export function valueNoise(seed: number, tMs: number, periodMs: number): number {
  const x = tMs / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = hash01(seed, i) * 2 - 1;
  const b = hash01(seed, i + 1) * 2 - 1;
  return a + (b - a) * s;
}

/**
 * Spatio-temporal value noise in [-1, 1]: knots on a (lat, lon) grid of `cellDeg` every `periodMs`, joined by
 * smoothstep interpolation. Stations a fraction of a cell apart see nearly the same value, so neighbours
 * agree the way real weather makes them agree.
 */
export function fieldNoise(
  seed: number,
  lat: number,
  lon: number,
  tMs: number,
  cellDeg: number,
  periodMs: number,
): number {
  const x = lon / cellDeg;
  const y = lat / cellDeg;
  const z = tMs / periodMs;
  const [xi, yi, zi] = [Math.floor(x), Math.floor(y), Math.floor(z)];
  const smooth = (f: number) => f * f * (3 - 2 * f);
  const [fx, fy, fz] = [smooth(x - xi), smooth(y - yi), smooth(z - zi)];
  let total = 0;
  for (let dx = 0; dx <= 1; dx++) {
    for (let dy = 0; dy <= 1; dy++) {
      const cell = hash01(seed, Math.imul(xi + dx, 73856093) ^ Math.imul(yi + dy, 19349663)) * 4294967296;
      for (let dz = 0; dz <= 1; dz++) {
        const weight = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz);
        total += weight * (hash01(cell >>> 0, zi + dz) * 2 - 1);
      }
    }
  }
  return total;
}

/** Sum of two octaves of value noise, closer to weather-like (still in about [-1, 1]). */
export function fractalNoise(seed: number, tMs: number, periodMs: number): number {
  return 0.75 * valueNoise(seed, tMs, periodMs) + 0.25 * valueNoise(seed ^ 0x5bd1e995, tMs, periodMs / 3.7);
}

/** Small fast PRNG (sfc32), seeded through splitmix so nearby seeds give unrelated streams. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(this.a ^ 0x243f6a88);
    this.c = mix32(this.b ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 12; i++) {
      this.next();
    }
  }

  /** Uniform [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
