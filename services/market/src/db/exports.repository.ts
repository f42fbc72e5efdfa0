import type pg from 'pg';
import type { ExportFormat, SignedManifest } from '../core/manifest.js';

export type ExportState = 'running' | 'done' | 'failed';

export interface ExportRecord {
  readonly exportId: string;
  readonly orderId: string;
  readonly format: ExportFormat;
  readonly state: ExportState;
  readonly rowsExpected: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  readonly manifest: SignedManifest | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

type Row = {
  export_id: string;
  order_id: string;
  format: ExportFormat;
  state: ExportState;
  rows_expected: string;
  rows_written: string;
  bytes_written: string;
  manifest: SignedManifest | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
};

const toRecord = (row: Row): ExportRecord => ({
  exportId: row.export_id,
  orderId: row.order_id,
  format: row.format,
  state: row.state,
  rowsExpected: Number(row.rows_expected),
  rowsWritten: Number(row.rows_written),
  bytesWritten: Number(row.bytes_written),
  manifest: row.manifest,
  error: row.error,
  createdAt: row.created_at.getTime(),
  finishedAt: row.finished_at?.getTime() ?? null,
});

/** Export jobs: progress while they run, the signed manifest when done, the reason when they fail. */
export class ExportsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(exportId: string, orderId: string, format: ExportFormat, rowsExpected: number): Promise<ExportRecord> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO market_exports (export_id, order_id, format, state, rows_expected) VALUES ($1, $2, $3, 'running', $4)
       RETURNING *`,
      [exportId, orderId, format, rowsExpected],
    );
    return toRecord(rows[0]!);
  }

  async progress(exportId: string, rowsWritten: number, bytesWritten: number): Promise<void> {
    await this.pool.query(
      `UPDATE market_exports SET rows_written = $2, bytes_written = $3, updated_at = now() WHERE export_id = $1 AND state = 'running'`,
      [exportId, rowsWritten, bytesWritten],
    );
  }

  async finish(exportId: string, manifest: SignedManifest): Promise<void> {
    await this.pool.query(
      `UPDATE market_exports SET state = 'done', rows_written = $2, bytes_written = $3, manifest = $4, updated_at = now(),
         finished_at = now() WHERE export_id = $1`,
      [exportId, manifest.rows, manifest.file.bytes, JSON.stringify(manifest)],
    );
  }

  async fail(exportId: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE market_exports SET state = 'failed', error = $2, updated_at = now(), finished_at = now() WHERE export_id = $1`,
      [exportId, error.slice(0, 2000)],
    );
  }

  /** Jobs left 'running' by a process that stopped: they can never finish, so say so. */
  async failAbandoned(reason: string): Promise<number> {
    const result = await this.pool.query(
      `UPDATE market_exports SET state = 'failed', error = $1, updated_at = now(), finished_at = now() WHERE state = 'running'`,
      [reason],
    );
    return result.rowCount ?? 0;
  }

  async get(exportId: string): Promise<ExportRecord | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM market_exports WHERE export_id = $1', [exportId]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async ofOrder(orderId: string): Promise<ExportRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM market_exports WHERE order_id = $1 ORDER BY created_at',
      [orderId],
    );
    return rows.map(toRecord);
  }
}
