import type { DeviceMeta } from './device-meta.js';
import type { ScoringParams } from './params.js';
import type { DeviceSeries } from './series.js';
import { CHECKS } from './checks.js';
import { HOUR_MS, MINUTE_MS } from './time.js';
import { variablesOf, POSITION } from './variables.js';

/**
 * What a per-reading check sees and writes. Checks read the series and flag readings; they never look at
 * readings before `lo[i]` (the lookback before the start of reading i's hour) or from `hi[i]` on (the next hour),
 * so a reading's flags are the same whether its hour is scored alone or inside a whole epoch.
 */
export class CheckContext {
  readonly n: number;
  /** number of scored variables (catalogue metrics, + position for vehicles) */
  readonly vars: number;
  readonly positionVar: number;
  /** union of the failed checks' bits, per reading */
  readonly flags: Uint32Array;
  /** bit v set when variable v of the reading was implicated, per reading */
  readonly varMask: Uint32Array;
  /** per (reading, variable): 0 when valid, else 1 + the first check that invalidated it */
  readonly primary: Uint8Array;
  /** first index a check of reading i may look back to */
  readonly lo: Int32Array;
  /** first index of the hour after reading i's hour */
  readonly hi: Int32Array;
  /** clear-sky irradiance per reading (W/m²), set by the solar check when the station's position is known */
  clearSky: Float64Array | undefined = undefined;
  /**
   * bit v set when variable v of the reading is constant long enough to be stuck but at a level the stuck check
   * exempts (saturation, calm): the neighbour pass decides whether the neighbourhood shares that level
   */
  readonly exemptStuck: Uint32Array;
  /** whether any bit of `exemptStuck` is set */
  anyExemptStuck = false;

  constructor(
    readonly series: DeviceSeries,
    readonly meta: DeviceMeta,
    readonly params: ScoringParams,
  ) {
    const n = series.n;
    this.n = n;
    const names = variablesOf(series.kind);
    this.vars = names.length;
    this.positionVar = names.indexOf(POSITION);
    this.flags = new Uint32Array(n);
    this.varMask = new Uint32Array(n);
    this.exemptStuck = new Uint32Array(n);
    this.primary = new Uint8Array(n * this.vars);
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    const lookback = params.lookbackMinutes * MINUTE_MS;
    const ts = series.ts;
    let lo = 0;
    let i = 0;
    while (i < n) {
      const hour = Math.floor(ts[i]! / HOUR_MS) * HOUR_MS;
      let hi = i;
      while (hi < n && ts[hi]! < hour + HOUR_MS) {
        hi++;
      }
      while (ts[lo]! < hour - lookback) {
        lo++;
      }
      for (let j = i; j < hi; j++) {
        this.lo[j] = lo;
        this.hi[j] = hi;
      }
      i = hi;
    }
  }

  /** Whether variable v has a value in reading i. */
  present(i: number, v: number): boolean {
    return v === this.positionVar ? !Number.isNaN(this.series.lat[i]!) : !Number.isNaN(this.series.values[v]![i]!);
  }

  /** Check c invalidates variable v of reading i (or, for location/info checks, only records it). */
  flagVar(i: number, v: number, c: number): void {
    this.flags[i]! |= 1 << c;
    this.varMask[i]! |= 1 << v;
    const scope = CHECKS[c]!.scope;
    if (scope === 'variable' || scope === 'reading') {
      const k = i * this.vars + v;
      const current = this.primary[k]!;
      if (current === 0 || current > c + 1) {
        this.primary[k] = c + 1;
      }
    }
  }

  /** Check c invalidates every variable reading i has. */
  flagReading(i: number, c: number): void {
    this.flags[i]! |= 1 << c;
    for (let v = 0; v < this.vars; v++) {
      if (this.present(i, v)) {
        this.flagVar(i, v, c);
      }
    }
  }

  /** Records check c on reading i without invalidating anything (location and info checks). */
  flagInfo(i: number, c: number): void {
    this.flags[i]! |= 1 << c;
  }

  /** Whether check c flagged reading i. */
  has(i: number, c: number): boolean {
    return ((this.flags[i]! >>> c) & 1) === 1;
  }
}
