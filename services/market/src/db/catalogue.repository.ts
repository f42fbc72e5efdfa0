import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import type { DatasetQuery } from '../core/dataset-query.js';
import type { DeviceRows } from '../core/revenue-share.js';
import { cellMatcher } from '../export/readings.source.js';
import { datasetSql } from './dataset-sql.js';

export interface DatasetStats {
  readonly rows: number;
  readonly devices: number;
  /** device timestamps (ms) of the first and last rows; null when empty */
  readonly first: number | null;
  readonly last: number | null;
  /** rows per device, sorted by device id: the basis of the revenue share */
  readonly perDevice: readonly DeviceRows[];
}

export interface KindOverview {
  readonly kind: HardwareKind;
  readonly rows: number;
  readonly devices: number;
  readonly first: number | null;
  readonly last: number | null;
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::int8`;

/** Counting queries over the readings tables (the catalogue's numbers and the sale's per-device rows). */
export class CatalogueRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Rows, devices and time range of a dataset, and rows per device. With H3 cells, rows are grouped by
   * device and location in SQL (few groups for stationary devices) and matched to the cells exactly here.
   */
  async stats(query: DatasetQuery, qualityClause?: string): Promise<DatasetStats> {
    const sql = datasetSql(query, qualityClause);
    const location = sql.needsCellFilter ? `, ${sql.locLat} AS lat, ${sql.locLon} AS lon` : '';
    const group = sql.needsCellFilter ? 'GROUP BY 1, 5, 6' : 'GROUP BY 1';
    const result = await this.pool.query<{
      device_id: string;
      n: string;
      first: string;
      last: string;
      lat?: number;
      lon?: number;
    }>(
      `SELECT r.device_id, count(*)::int8 AS n, ${ms('min(r.ts)')} AS first, ${ms('max(r.ts)')} AS last${location} ` +
        `${sql.fromWhere} ${group}`,
    );
    const matches = query.region !== undefined && 'cells' in query.region ? cellMatcher(query.region.cells) : undefined;
    const perDevice = new Map<string, number>();
    let first: number | null = null;
    let last: number | null = null;
    for (const row of result.rows) {
      if (matches !== undefined && !matches(row.lat ?? null, row.lon ?? null)) {
        continue;
      }
      perDevice.set(row.device_id, (perDevice.get(row.device_id) ?? 0) + Number(row.n));
      first = first === null ? Number(row.first) : Math.min(first, Number(row.first));
      last = last === null ? Number(row.last) : Math.max(last, Number(row.last));
    }
    const devices = [...perDevice]
      .map(([device, rows]) => ({ device, rows }))
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    return {
      rows: devices.reduce((sum, d) => sum + d.rows, 0),
      devices: devices.length,
      first,
      last,
      perDevice: devices,
    };
  }

  /** What each hardware kind holds overall (the catalogue's landing page). */
  async overview(): Promise<KindOverview[]> {
    return Promise.all(
      HARDWARE_KINDS.map(async (kind) => {
        const { rows } = await this.pool.query<{
          n: string;
          devices: number;
          first: string | null;
          last: string | null;
        }>(
          `SELECT count(*)::int8 AS n, count(DISTINCT device_id)::int AS devices, ${ms('min(ts)')} AS first, ` +
            `${ms('max(ts)')} AS last FROM readings_${kind}`,
        );
        const row = rows[0]!;
        return {
          kind,
          rows: Number(row.n),
          devices: row.devices,
          first: row.first === null ? null : Number(row.first),
          last: row.last === null ? null : Number(row.last),
        };
      }),
    );
  }
}
