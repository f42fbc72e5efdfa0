import { metricNames, type HardwareKind, type ReadingBody } from '@groundtruth/protocol';

/** Provenance of a reading that travelled in a batch envelope: the batch signature covers `root`. */
export interface BatchProvenance {
  readonly root: Buffer;
  readonly index: number;
  readonly size: number;
  /** the inclusion proof's hashes, concatenated (32 bytes each, bottom-up) */
  readonly proof: Buffer;
}

/** One reading as the ingest stores it: typed columns plus the signed body and what proves it. */
export interface StoredReading {
  readonly body: ReadingBody;
  /** RFC 8785 text of the body: the signed bytes (single) or the Merkle leaf data (batch) */
  readonly canonical: string;
  /** when the ingest received the message (ms) */
  readonly receivedAt: number;
  /** the reading's signature, or the batch signature */
  readonly sig: Buffer;
  readonly batch?: BatchProvenance;
  readonly qflags: number;
}

const LOCATION_COLUMNS = ['lat', 'lon', 'alt', 'hdop', 'sats'] as const;
const HEAD_COLUMNS = ['device_id', 'seq', 'ts', 'received_at', ...LOCATION_COLUMNS];
const TAIL_COLUMNS = ['body', 'sig', 'batch_root', 'batch_index', 'batch_size', 'proof', 'qflags'];

/** The columns of `readings_<kind>` the ingest writes, in COPY order. Metric columns are named as the catalogue. */
export function readingColumns(kind: HardwareKind): readonly string[] {
  return [...HEAD_COLUMNS, ...metricNames(kind), ...TAIL_COLUMNS];
}

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text format: backslash, tab, newline and carriage return are the only characters that need escaping. */
function text(value: string): string {
  return NEEDS_ESCAPE.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

function bytea(value: Buffer | undefined): string {
  // bytea hex input is `\x...`; the backslash itself is escaped in COPY text.
  return value === undefined ? NULL : '\\\\x' + value.toString('hex');
}

function num(value: number | undefined): string {
  return value === undefined ? NULL : String(value);
}

/** The rows of one kind's readings in PostgreSQL COPY text format (tab-separated, one line each). */
export function encodeCopyRows(kind: HardwareKind, readings: readonly StoredReading[]): string {
  const metrics = metricNames(kind);
  const lines: string[] = new Array(readings.length);
  for (let r = 0; r < readings.length; r++) {
    const reading = readings[r]!;
    const { body, batch } = reading;
    if (body.kind !== kind) {
      throw new RangeError(`a ${body.kind} reading cannot go into readings_${kind}`);
    }
    const loc = body.loc;
    let line =
      body.device +
      '\t' +
      body.seq +
      '\t' +
      new Date(body.ts).toISOString() +
      '\t' +
      new Date(reading.receivedAt).toISOString() +
      '\t' +
      (loc === undefined
        ? '\\N\t\\N\t\\N\t\\N\t\\N'
        : `${loc.lat}\t${loc.lon}\t${num(loc.alt)}\t${num(loc.hdop)}\t${num(loc.sats)}`);
    for (const name of metrics) {
      line += '\t' + num(body.metrics[name]);
    }
    line +=
      '\t' +
      text(reading.canonical) +
      '\t' +
      bytea(reading.sig) +
      '\t' +
      (batch === undefined
        ? '\\N\t\\N\t\\N\t\\N'
        : `${bytea(batch.root)}\t${batch.index}\t${batch.size}\t${bytea(batch.proof)}`) +
      '\t' +
      reading.qflags;
    lines[r] = line;
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/**
 * The same rows as JSON records (column → value), for servers that cannot take COPY FROM STDIN (PGlite over
 * its socket): `INSERT … SELECT … FROM json_populate_recordset(NULL::readings_<kind>, $1)`.
 */
export function readingRecords(kind: HardwareKind, readings: readonly StoredReading[]): Record<string, unknown>[] {
  const metrics = metricNames(kind);
  return readings.map((reading) => {
    const { body, batch } = reading;
    if (body.kind !== kind) {
      throw new RangeError(`a ${body.kind} reading cannot go into readings_${kind}`);
    }
    const record: Record<string, unknown> = {
      device_id: body.device,
      seq: body.seq,
      ts: new Date(body.ts).toISOString(),
      received_at: new Date(reading.receivedAt).toISOString(),
      lat: body.loc?.lat ?? null,
      lon: body.loc?.lon ?? null,
      alt: body.loc?.alt ?? null,
      hdop: body.loc?.hdop ?? null,
      sats: body.loc?.sats ?? null,
      body: reading.canonical,
      sig: '\\x' + reading.sig.toString('hex'),
      batch_root: batch ? '\\x' + batch.root.toString('hex') : null,
      batch_index: batch?.index ?? null,
      batch_size: batch?.size ?? null,
      proof: batch ? '\\x' + batch.proof.toString('hex') : null,
      qflags: reading.qflags,
    };
    for (const name of metrics) {
      record[name] = body.metrics[name] ?? null;
    }
    return record;
  });
}
