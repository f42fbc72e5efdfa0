import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { ExportRow, RowCodec } from '../core/export-row.js';
import type { ByteSink } from './byte-sink.js';

/** Appends rows; `flush` hands what is buffered to the sink (awaiting backpressure). */
export interface RowWriter {
  /** `canonical` is `codec.canonical(row)`, already computed for the row hash */
  add(row: ExportRow, canonical: string): void;
  flush(): Promise<void>;
  finish(): Promise<void>;
}

/** hyparquet-writer's buffer, emptied into the sink after every row group (its `flush` hook). */
class SinkByteWriter extends ByteWriter {
  constructor(private readonly sink: ByteSink) {
    super(1 << 20);
  }
  flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return this.sink.write(bytes);
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

/** The Parquet schema of an export (see ExportRow): INT64 seq, TIMESTAMP_MILLIS ts, DOUBLE values, UTF8 text. */
export function parquetSchema(codec: RowCodec): SchemaElement[] {
  const required = (name: string, type: SchemaElement['type'], extra: Partial<SchemaElement> = {}): SchemaElement => ({
    name,
    type,
    repetition_type: 'REQUIRED',
    ...extra,
  });
  const optional = (name: string, type: SchemaElement['type'], extra: Partial<SchemaElement> = {}): SchemaElement => ({
    name,
    type,
    repetition_type: 'OPTIONAL',
    ...extra,
  });
  const utf8 = { converted_type: 'UTF8' } as const;
  const elements: SchemaElement[] = [
    required('device', 'BYTE_ARRAY', utf8),
    required('seq', 'INT64'),
    required('ts', 'INT64', { converted_type: 'TIMESTAMP_MILLIS' }),
    optional('lat', 'DOUBLE'),
    optional('lon', 'DOUBLE'),
    optional('alt', 'DOUBLE'),
    ...codec.metrics.map((name) => optional(name, 'DOUBLE')),
    required('qflags', 'INT32'),
    required('body', 'BYTE_ARRAY', utf8),
    required('sig', 'BYTE_ARRAY', utf8),
    optional('batch_root', 'BYTE_ARRAY', utf8),
    optional('batch_index', 'INT32'),
    optional('batch_size', 'INT32'),
    optional('proof', 'BYTE_ARRAY', utf8),
  ];
  return [{ name: 'root', num_children: elements.length }, ...elements];
}

/**
 * Parquet in bounded row groups: rows are buffered column by column up to `rowGroupSize`, then encoded and
 * flushed, so memory holds one row group, never the dataset.
 */
class ParquetRowWriter implements RowWriter {
  private readonly writer: ParquetWriter;
  private columns: unknown[][];
  private buffered = 0;

  constructor(
    private readonly codec: RowCodec,
    sink: ByteSink,
    private readonly rowGroupSize: number,
    kvMetadata: { key: string; value: string }[],
  ) {
    this.writer = new ParquetWriter({
      writer: new SinkByteWriter(sink),
      schema: parquetSchema(codec),
      kvMetadata,
      createdBy: 'groundtruth market',
    });
    this.columns = codec.columns.map(() => []);
  }

  add(row: ExportRow): void {
    const c = this.columns;
    const m = this.codec.metrics.length;
    c[0]!.push(row.device);
    c[1]!.push(BigInt(row.seq));
    c[2]!.push(row.ts);
    c[3]!.push(row.lat);
    c[4]!.push(row.lon);
    c[5]!.push(row.alt);
    for (let i = 0; i < m; i++) {
      c[6 + i]!.push(row.values[i] ?? null);
    }
    c[6 + m]!.push(row.qflags);
    c[7 + m]!.push(row.body);
    c[8 + m]!.push(row.sig);
    c[9 + m]!.push(row.batchRoot);
    c[10 + m]!.push(row.batchIndex);
    c[11 + m]!.push(row.batchSize);
    c[12 + m]!.push(row.proof);
    this.buffered++;
  }

  async flush(): Promise<void> {
    if (this.buffered >= this.rowGroupSize) {
      await this.writeGroup();
    }
  }

  private async writeGroup(): Promise<void> {
    if (this.buffered === 0) {
      return;
    }
    const full = this.columns;
    this.columns = this.codec.columns.map(() => []);
    const columnData = this.codec.columns.map((name, i) => ({ name, data: full[i]! as never }));
    const rows = this.buffered;
    this.buffered = 0;
    await this.writer.write({ columnData, rowGroupSize: rows });
  }

  async finish(): Promise<void> {
    await this.writeGroup();
    await this.writer.finish();
  }
}

export interface RowWriterOptions {
  /** rows per Parquet row group (default 50,000) */
  readonly rowGroupSize?: number;
  /** Parquet key-value metadata (the export's query, for readers that open the file alone) */
  readonly kvMetadata?: { key: string; value: string }[];
}

/** A Parquet writer of export rows (text formats are encoded by block-encoder.ts). */
export function createParquetWriter(codec: RowCodec, sink: ByteSink, options: RowWriterOptions = {}): RowWriter {
  return new ParquetRowWriter(codec, sink, options.rowGroupSize ?? 50_000, options.kvMetadata ?? []);
}
