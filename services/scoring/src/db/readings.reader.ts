import type { HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import { allocateSeries, sortSeries, type DeviceSeries } from '../core/series.js';
import { metricsOf } from '../core/variables.js';
import { inTransaction, tsParam } from './sql.js';

export interface ReadOptions {
  readonly kind: HardwareKind;
  /** ts range [from, to), ms UTC */
  readonly from: number;
  readonly to: number;
  /** only these devices (default all) */
  readonly devices?: readonly string[];
  /** rows per FETCH (default 20 000) */
  readonly fetchSize?: number;
}

export interface ReadStats {
  rows: number;
  devices: number;
}

const FIXED = ['seq', 'ts', 'recv', 'lat', 'lon', 'alt', 'hdop', 'sats'] as const;

/**
 * Streams a kind's readings in [from, to) out of `readings_<kind>` device by device (a server-side cursor in a
 * read-only transaction, so memory holds one fetch and one device), as sorted {@link DeviceSeries}. Numbers
 * travel as float8 (ms for times); body and signature are not read.
 */
export async function streamDeviceSeries(
  pool: pg.Pool,
  options: ReadOptions,
  onDevice: (series: DeviceSeries) => void | Promise<void>,
): Promise<ReadStats> {
  const metrics = metricsOf(options.kind).map((spec) => spec.name);
  const columns = [
    'device_id',
    'seq::float8',
    'round(extract(epoch FROM ts) * 1000)::float8',
    'round(extract(epoch FROM received_at) * 1000)::float8',
    'lat',
    'lon',
    'alt',
    'hdop::float8',
    'sats::float8',
    ...metrics,
    'qflags',
  ];
  const filter = options.devices ? 'AND device_id = ANY($3::text[])' : '';
  const params: unknown[] = [tsParam(options.from), tsParam(options.to)];
  if (options.devices) {
    params.push(options.devices);
  }
  const stats: ReadStats = { rows: 0, devices: 0 };
  const fetchSize = options.fetchSize ?? 20_000;
  await inTransaction(
    pool,
    async (client) => {
      await client.query(
        `DECLARE scoring_readings NO SCROLL CURSOR FOR
         SELECT ${columns.join(', ')} FROM readings_${options.kind}
          WHERE ts >= $1 AND ts < $2 ${filter}
          ORDER BY device_id, seq, ts`,
        params,
      );
      let current: string | undefined;
      let rows: unknown[][] = [];
      const flush = async () => {
        if (current !== undefined && rows.length > 0) {
          stats.devices++;
          await onDevice(toSeries(current, options.kind, rows, metrics.length));
        }
        rows = [];
      };
      for (;;) {
        const batch = await client.query({ text: `FETCH ${fetchSize} FROM scoring_readings`, rowMode: 'array' });
        for (const row of batch.rows as unknown[][]) {
          const device = row[0] as string;
          if (device !== current) {
            await flush();
            current = device;
          }
          rows.push(row);
        }
        stats.rows += batch.rows.length;
        if (batch.rows.length < fetchSize) {
          break;
        }
      }
      await flush();
      await client.query('CLOSE scoring_readings');
    },
    'READ ONLY',
  );
  return stats;
}

function toSeries(device: string, kind: HardwareKind, rows: readonly unknown[][], metricCount: number): DeviceSeries {
  const series = allocateSeries(device, kind, rows.length);
  const fixed = [series.seq, series.ts, series.recv, series.lat, series.lon, series.alt, series.hdop, series.sats];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let f = 0; f < FIXED.length; f++) {
      const value = row[f + 1];
      fixed[f]![i] = value === null ? Number.NaN : (value as number);
    }
    for (let m = 0; m < metricCount; m++) {
      const value = row[FIXED.length + 1 + m];
      series.values[m]![i] = value === null ? Number.NaN : (value as number);
    }
    series.qflags[i] = row[FIXED.length + 1 + metricCount] as number;
  }
  return sortSeries(series);
}
