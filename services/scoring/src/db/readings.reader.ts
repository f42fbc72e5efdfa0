import type { HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { allocateSeries, sortSeries, type DeviceSeries } from '../core/series.js';
import { metricsOf } from '../core/variables.js';
import { ReadingsCopyDecoder, readingsCopySql } from './binary-copy.js';
import { inTransaction, tsParam } from './sql.js';

/**
 * How readings leave the database: `copy` streams a binary COPY (fast; PostgreSQL and TimescaleDB), `cursor`
 * FETCHes from a server-side cursor (works everywhere, PGlite over pglite-socket included, where COPY is not
 * carried).
 */
export type ReadMode = 'copy' | 'cursor';

export interface ReadOptions {
  readonly kind: HardwareKind;
  /** ts range [from, to), ms UTC */
  readonly from: number;
  readonly to: number;
  /** only these devices (default all) */
  readonly devices?: readonly string[];
  /** default `cursor` */
  readonly mode?: ReadMode;
  /**
   * copy mode: readings held in memory at once per shard, about (default 2 M, ~320 MB). The devices are split into that
   * many id ranges, each read by its own COPY; `copyConcurrency` of them run at once, on separate connections.
   */
  readonly copyRowsPerShard?: number;
  readonly copyConcurrency?: number;
  /** rows per FETCH (cursor mode, default 20 000) */
  readonly fetchSize?: number;
}

export interface ReadStats {
  rows: number;
  devices: number;
}

/**
 * Streams a kind's readings in [from, to) out of `readings_<kind>` as sorted {@link DeviceSeries}, one call of
 * `onDevice` per device (synchronously; cursor mode in device-id order, copy mode in device-id order per shard).
 * Numbers travel as float8 (times as whole ms); body and signature are not read.
 */
export async function streamDeviceSeries(
  pool: pg.Pool,
  options: ReadOptions,
  onDevice: (series: DeviceSeries) => void,
): Promise<ReadStats> {
  return (options.mode ?? 'cursor') === 'copy'
    ? readByCopy(pool, options, onDevice)
    : readByCursor(pool, options, onDevice);
}

async function readByCopy(
  pool: pg.Pool,
  options: ReadOptions,
  onDevice: (series: DeviceSeries) => void,
): Promise<ReadStats> {
  const range = `ts >= '${tsParam(options.from)}' AND ts < '${tsParam(options.to)}'`;
  const { shards, expected } = await shardFilters(pool, options);
  const capacity = (id: string) => Math.ceil((expected.get(id) ?? 256) * 1.05);
  const stats: ReadStats = { rows: 0, devices: 0 };
  let next = 0;
  const worker = async () => {
    while (next < shards.length) {
      const where = `${range} AND ${shards[next++]!}`;
      const decoder = new ReadingsCopyDecoder(options.kind, capacity);
      const client = await pool.connect();
      try {
        const stream = client.query(copyTo(readingsCopySql(options.kind, where)));
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (chunk: Buffer) => {
            try {
              decoder.push(chunk);
            } catch (error) {
              stream.destroy(error as Error);
            }
          });
          stream.on('error', reject);
          stream.on('end', resolve);
        });
      } finally {
        client.release();
      }
      stats.rows += decoder.rows;
      decoder.end((series) => {
        stats.devices++;
        onDevice(series);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.copyConcurrency ?? 2, shards.length) }, worker));
  return stats;
}

/**
 * Device filters that split the readings into shards of about `copyRowsPerShard` rows, estimated from the
 * registered devices' intervals (devices are cut into contiguous id ranges, so no device spans two shards).
 */
async function shardFilters(
  pool: pg.Pool,
  options: ReadOptions,
): Promise<{ shards: string[]; expected: Map<string, number> }> {
  const perShard = options.copyRowsPerShard ?? 2_000_000;
  const { rows } = await pool.query<{ device_id: string; expected: number }>(
    `SELECT device_id, ($2::float8 / interval_s) AS expected FROM devices WHERE kind = $1 ORDER BY device_id`,
    [options.kind, (options.to - options.from) / 1000],
  );
  const expected = new Map(rows.map((r) => [r.device_id, r.expected]));
  if (options.devices) {
    const ids = [...options.devices].sort();
    const shards: string[] = [];
    for (let i = 0; i < ids.length; i += 2000) {
      shards.push(
        `device_id IN (${ids
          .slice(i, i + 2000)
          .map(literal)
          .join(', ')})`,
      );
    }
    return { shards, expected };
  }
  const cuts: string[] = [];
  let acc = 0;
  for (const row of rows) {
    if (acc >= perShard) {
      cuts.push(literal(row.device_id));
      acc = 0;
    }
    acc += row.expected;
  }
  // Readings of devices that are not (or no longer) registered land in the first or last range.
  const shards = Array.from({ length: cuts.length + 1 }, (_, i) => {
    const lower = i === 0 ? undefined : `device_id >= ${cuts[i - 1]}`;
    const upper = i === cuts.length ? undefined : `device_id < ${cuts[i]}`;
    return [lower, upper].filter((x) => x !== undefined).join(' AND ') || 'true';
  });
  return { shards, expected };
}

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const FIXED = ['seq', 'ts', 'recv', 'lat', 'lon', 'alt', 'hdop', 'sats'] as const;

async function readByCursor(
  pool: pg.Pool,
  options: ReadOptions,
  onDevice: (series: DeviceSeries) => void,
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
      const flush = () => {
        if (current !== undefined && rows.length > 0) {
          stats.devices++;
          onDevice(toSeries(current, options.kind, rows, metrics.length));
        }
        rows = [];
      };
      for (;;) {
        const batch = await client.query({ text: `FETCH ${fetchSize} FROM scoring_readings`, rowMode: 'array' });
        for (const row of batch.rows as unknown[][]) {
          const device = row[0] as string;
          if (device !== current) {
            flush();
            current = device;
          }
          rows.push(row);
        }
        stats.rows += batch.rows.length;
        if (batch.rows.length < fetchSize) {
          break;
        }
      }
      flush();
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
