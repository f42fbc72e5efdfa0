import type { HardwareKind } from '@groundtruth/protocol';
import { metricsOf } from './variables.js';

/**
 * One device's readings as columns (typed arrays, NaN where a value is absent), sorted by (ts, seq). This is
 * what the pure core scores; the database reader and the tests both build it.
 */
export interface DeviceSeries {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly n: number;
  readonly seq: Float64Array;
  /** device timestamp, ms UTC */
  readonly ts: Float64Array;
  /** when the network received it, ms UTC (NaN if unknown) */
  readonly recv: Float64Array;
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly alt: Float64Array;
  readonly hdop: Float64Array;
  readonly sats: Float64Array;
  /** one column per catalogue metric of the kind, in catalogue order */
  readonly values: readonly Float64Array[];
  /** bits set at ingest */
  readonly qflags: Int32Array;
}

/** A reading as plain data, e.g. from a test or a JSON export. */
export interface PlainReading {
  readonly seq: number;
  readonly ts: number;
  readonly recv?: number;
  readonly loc?: {
    readonly lat: number;
    readonly lon: number;
    readonly alt?: number;
    readonly hdop?: number;
    readonly sats?: number;
  };
  readonly metrics: Readonly<Record<string, number>>;
  readonly qflags?: number;
}

/** Empty columns for `n` readings of a kind; fill them, then {@link sortSeries}. */
export function allocateSeries(device: string, kind: HardwareKind, n: number): DeviceSeries {
  const column = () => new Float64Array(n).fill(Number.NaN);
  return {
    device,
    kind,
    n,
    seq: new Float64Array(n),
    ts: new Float64Array(n),
    recv: column(),
    lat: column(),
    lon: column(),
    alt: column(),
    hdop: column(),
    sats: column(),
    values: metricsOf(kind).map(column),
    qflags: new Int32Array(n),
  };
}

/** Builds a sorted series from plain readings; unknown metric names are ignored (the catalogue decides). */
export function seriesFromReadings(
  device: string,
  kind: HardwareKind,
  readings: readonly PlainReading[],
): DeviceSeries {
  const series = allocateSeries(device, kind, readings.length);
  const names = metricsOf(kind).map((spec) => spec.name);
  readings.forEach((reading, i) => {
    series.seq[i] = reading.seq;
    series.ts[i] = reading.ts;
    series.recv[i] = reading.recv ?? Number.NaN;
    if (reading.loc) {
      series.lat[i] = reading.loc.lat;
      series.lon[i] = reading.loc.lon;
      series.alt[i] = reading.loc.alt ?? Number.NaN;
      series.hdop[i] = reading.loc.hdop ?? Number.NaN;
      series.sats[i] = reading.loc.sats ?? Number.NaN;
    }
    names.forEach((name, m) => {
      const value = reading.metrics[name];
      series.values[m]![i] = value ?? Number.NaN;
    });
    series.qflags[i] = reading.qflags ?? 0;
  });
  return sortSeries(series);
}

/** Sorts a series by (ts, seq) in place order; returns the same object when already sorted. */
export function sortSeries(series: DeviceSeries): DeviceSeries {
  const { n, ts, seq } = series;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = ts[i - 1]! < ts[i]! || (ts[i - 1] === ts[i] && seq[i - 1]! <= seq[i]!);
  }
  if (sorted) {
    return series;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]! || seq[a]! - seq[b]!);
  const permute = (column: Float64Array) => Float64Array.from(order, (i) => column[i]!);
  return {
    ...series,
    seq: permute(series.seq),
    ts: permute(series.ts),
    recv: permute(series.recv),
    lat: permute(series.lat),
    lon: permute(series.lon),
    alt: permute(series.alt),
    hdop: permute(series.hdop),
    sats: permute(series.sats),
    values: series.values.map(permute),
    qflags: Int32Array.from(order, (i) => series.qflags[i]!),
  };
}
