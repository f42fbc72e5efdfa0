import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import { readingColumns } from './reading.columns.js';

/** The SQL of the write transaction (see readings.repository.ts), built once. */

export interface KindSql {
  /** binary COPY straight into the hypertable (the seq state, locked, has already ruled out every conflict) */
  readonly copy: string;
  /** without COPY: one INSERT from a JSON array of records */
  readonly insertJson: string;
  readonly storedBodies: string;
}

export const KIND_SQL: Readonly<Record<HardwareKind, KindSql>> = Object.fromEntries(
  HARDWARE_KINDS.map((kind) => {
    const columns = readingColumns(kind).join(', ');
    return [
      kind,
      {
        copy: `COPY readings_${kind} (${columns}) FROM STDIN (FORMAT binary)`,
        insertJson: `INSERT INTO readings_${kind} (${columns})
          SELECT ${columns} FROM json_populate_recordset(NULL::readings_${kind}, $1::json)`,
        storedBodies: `SELECT r.device_id, r.seq, r.body, r.received_at FROM readings_${kind} r
          JOIN unnest($1::text[], $2::bigint[]) AS k(device_id, seq) ON r.device_id = k.device_id AND r.seq = k.seq`,
      },
    ];
  }),
) as Record<HardwareKind, KindSql>;

/** Column types of the reading tables, to hold binary COPY to the types it encodes. */
export const READING_COLUMN_TYPES = `SELECT attrelid::regclass::text AS relation, attname AS column,
    format_type(atttypid, atttypmod) AS type
  FROM pg_attribute
  WHERE attrelid IN (${HARDWARE_KINDS.map((kind) => `'readings_${kind}'::regclass`).join(', ')})
    AND attnum > 0 AND NOT attisdropped`;

/** Creates missing state rows (`readings = 0` marks "nothing stored yet"); ids sorted, so locks come in order. */
export const ENSURE_DEVICE_STATE = `INSERT INTO device_state (device_id, high_seq, readings)
  SELECT d, -1, 0 FROM unnest($1::text[]) AS d ORDER BY d ON CONFLICT (device_id) DO NOTHING`;

/** Row locks serialise writers of the same device across ingest instances until COMMIT. */
export const LOCK_DEVICE_STATE = `SELECT device_id, high_seq, readings FROM device_state
  WHERE device_id = ANY($1::text[]) ORDER BY device_id FOR UPDATE`;

export const SELECT_GAPS = `SELECT device_id, from_seq, to_seq, detected_at FROM seq_gaps
  WHERE device_id = ANY($1::text[])`;

export const UPDATE_DEVICE_STATE = `UPDATE device_state s SET
    high_seq = u.high_seq,
    readings = s.readings + u.accepted,
    last_ts = GREATEST(s.last_ts, u.last_ts),
    last_received_at = GREATEST(s.last_received_at, u.last_received_at)
  FROM unnest($1::text[], $2::bigint[], $3::int[], $4::timestamptz[], $5::timestamptz[])
    AS u(device_id, high_seq, accepted, last_ts, last_received_at)
  WHERE s.device_id = u.device_id`;

export const DELETE_GAPS = `DELETE FROM seq_gaps g USING unnest($1::text[], $2::bigint[]) AS d(device_id, from_seq)
  WHERE g.device_id = d.device_id AND g.from_seq = d.from_seq`;

export const INSERT_GAPS = `INSERT INTO seq_gaps (device_id, from_seq, to_seq, detected_at)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[])
  ON CONFLICT (device_id, from_seq) DO UPDATE SET to_seq = EXCLUDED.to_seq`;

export const INSERT_QUARANTINE = `INSERT INTO quarantine
    (received_at, reason, topic, device_id, seq, detail, payload, payload_bytes)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bytea[], $8::int[])`;
