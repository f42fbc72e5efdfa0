import { metricNames, type HardwareKind, type ReadingBody } from '@groundtruth/protocol';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const NULL = '\\N';
const num = (x: number | undefined): string => (x === undefined ? NULL : String(x));
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Buffers stored readings and quarantine rows as the ingest writes them, and writes them on `flush()`: readings
 * with COPY FROM STDIN (text format) into `readings_<kind>`, quarantine rows with one INSERT. The signed body
 * and signature are not needed to score and are stored empty.
 */
export class RowSink {
  private readonly readings = new Map<HardwareKind, string[]>();
  private quarantined: { recv: number; reason: string; device: string; seq: number }[] = [];

  constructor(private readonly pool: pg.Pool) {}

  reading(kind: HardwareKind, body: ReadingBody, recv: number, qflags: number): void {
    const loc = body.loc;
    const line = [
      body.device,
      String(body.seq),
      iso(body.ts),
      iso(recv),
      num(loc?.lat),
      num(loc?.lon),
      num(loc?.alt),
      num(loc?.hdop),
      num(loc?.sats),
      ...metricNames(kind).map((name) => num(body.metrics[name])),
      '',
      '\\\\x',
      String(qflags),
    ].join('\t');
    let lines = this.readings.get(kind);
    if (!lines) {
      lines = [];
      this.readings.set(kind, lines);
    }
    lines.push(line);
  }

  quarantine(row: { recv: number; reason: string; device: string; seq: number }): void {
    this.quarantined.push(row);
  }

  async flush(): Promise<void> {
    const client = await this.pool.connect();
    try {
      for (const [kind, lines] of this.readings) {
        if (lines.length === 0) {
          continue;
        }
        const columns = [
          'device_id',
          'seq',
          'ts',
          'received_at',
          'lat',
          'lon',
          'alt',
          'hdop',
          'sats',
          ...metricNames(kind),
          'body',
          'sig',
          'qflags',
        ];
        const stream = client.query(copyFrom(`COPY readings_${kind} (${columns.join(', ')}) FROM STDIN`));
        await new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(lines.join('\n') + '\n');
        });
        lines.length = 0;
      }
      if (this.quarantined.length > 0) {
        const rows = this.quarantined;
        this.quarantined = [];
        await client.query(
          `INSERT INTO quarantine (received_at, reason, topic, device_id, seq, payload, payload_bytes)
           SELECT r, q, 'gt/v1/' || d || '/readings', d, s, '\\x00'::bytea, 1
             FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[]) AS t(r, q, d, s)`,
          [rows.map((r) => iso(r.recv)), rows.map((r) => r.reason), rows.map((r) => r.device), rows.map((r) => r.seq)],
        );
      }
    } finally {
      client.release();
    }
  }
}
