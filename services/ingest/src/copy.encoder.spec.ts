import { deviceIdFromPublicKey, metricNames, type ReadingBody } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { copyChunks, CopyRowWriter, type RowInput } from './copy.encoder.js';
import { readingColumns, readingColumnTypes, readingRecords } from './reading.columns.js';
import { READING, ReadingTable, RowReading, withQflags, type StoredReading } from './stored.reading.js';

const device = deviceIdFromPublicKey(new Uint8Array(32).fill(9));
const T = Date.UTC(2026, 10, 25, 12, 30, 15, 250);

function input(body: Partial<ReadingBody>, extra: Partial<RowInput> = {}): RowInput {
  const full: ReadingBody = { v: 1, device, kind: 'weather', seq: 7, ts: T, metrics: { temperature: 11.5 }, ...body };
  return {
    body: full,
    canonical: Buffer.from('{"x":1}'),
    receivedAt: T + 1000,
    sig: Buffer.alloc(64, 0xab),
    qflags: 3,
    ...extra,
  };
}

/** Encodes the inputs' rows and returns the readings that carry them. */
function stored(...inputs: RowInput[]): StoredReading[] {
  const writer = new CopyRowWriter(256);
  const table = new ReadingTable();
  const slots = inputs.map((i) => {
    const slot = table.add();
    const t = table.slots;
    t[slot + READING.seq] = i.body.seq;
    t[slot + READING.ts] = i.body.ts;
    t[slot + READING.kind] = ['weather', 'vehicle', 'energy'].indexOf(i.body.kind);
    t[slot + READING.qflags] = i.qflags;
    t[slot + READING.index] = i.batch?.index ?? 0;
    t[slot + READING.size] = i.batch?.size ?? 1;
    writer.row(i, t, slot);
    return slot;
  });
  const buffer = writer.bytes();
  const done = table.done();
  return inputs.map((i, n) => new RowReading(buffer, done, slots[n]!, i.body.device, i.receivedAt));
}

/** The whole COPY stream of some readings in one buffer. */
const copyData = (readings: Parameters<typeof copyChunks>[0]): Buffer => Buffer.concat(copyChunks(readings));
const encode = (...inputs: RowInput[]) => copyData(stored(...inputs));

/** Reads PostgreSQL's binary COPY format back: one array of raw fields (null for NULL) per row. */
function decodeBinaryCopy(data: Buffer): (Buffer | null)[][] {
  expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(data.readInt32BE(11)).toBe(0);
  let at = 19 + data.readInt32BE(15);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) {
      expect(at).toBe(data.length);
      return rows;
    }
    const row: (Buffer | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      row.push(length === -1 ? null : data.subarray(at, (at += length)));
    }
    rows.push(row);
  }
}

function fieldsOf(kind: 'weather' | 'vehicle' | 'energy', row: (Buffer | null)[]): Record<string, Buffer | null> {
  return Object.fromEntries(readingColumns(kind).map((name, i) => [name, row[i]!]));
}

/** Microseconds since 2000-01-01 as PostgreSQL's binary timestamptz holds them. */
const pgMicros = (ms: number) => BigInt(ms - Date.UTC(2000, 0, 1)) * 1000n;

describe('binary COPY encoding of readings', () => {
  it('writes one tuple per reading with one field per column, then the trailer', () => {
    const rows = decodeBinaryCopy(encode(input({}), input({ seq: 8 })));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toHaveLength(readingColumns('weather').length);
    }
  });

  it('puts each value under its column in its binary form, NULL for what the reading lacks', () => {
    const [row] = decodeBinaryCopy(encode(input({ loc: { lat: 52.1, lon: 5.12, sats: 9 } })));
    const f = fieldsOf('weather', row!);
    expect(f.device_id!.toString()).toBe(device);
    expect(f.seq!.readBigInt64BE()).toBe(7n);
    expect(f.ts!.readBigInt64BE()).toBe(pgMicros(T));
    expect(f.received_at!.readBigInt64BE()).toBe(pgMicros(T + 1000));
    expect([f.lat!.readDoubleBE(), f.lon!.readDoubleBE()]).toEqual([52.1, 5.12]);
    expect([f.alt, f.hdop]).toEqual([null, null]);
    expect(f.sats!.readInt16BE()).toBe(9);
    expect(f.temperature!.readDoubleBE()).toBe(11.5);
    expect(f.humidity).toBeNull();
    expect(f.body!.toString()).toBe('{"x":1}');
    expect(f.sig).toEqual(Buffer.alloc(64, 0xab));
    expect([f.batch_root, f.batch_index, f.batch_size, f.proof]).toEqual([null, null, null, null]);
    expect(f.qflags!.readInt32BE()).toBe(3);
  });

  it('writes hdop as a 4-byte real and large seqs as 8-byte integers', () => {
    const [row] = decodeBinaryCopy(encode(input({ seq: 2 ** 53 - 1, loc: { lat: 0, lon: 0, hdop: 1.5, alt: -12 } })));
    const f = fieldsOf('weather', row!);
    expect(f.hdop!.length).toBe(4);
    expect(f.hdop!.readFloatBE()).toBe(1.5);
    expect(f.alt!.readDoubleBE()).toBe(-12);
    expect(f.seq!.readBigInt64BE()).toBe(BigInt(2 ** 53 - 1));
  });

  it('writes batch provenance: root, index, size and the proof hashes concatenated', () => {
    const batch = { root: Buffer.alloc(32, 1), index: 3, size: 50 };
    const proof = [Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    const [reading] = stored(input({}, { batch, proof }));
    expect(reading!.batch).toEqual({ root: batch.root, index: 3, size: 50, proof: Buffer.concat(proof) });
    const [row] = decodeBinaryCopy(copyData([reading!]));
    const f = fieldsOf('weather', row!);
    expect(f.batch_root).toEqual(Buffer.alloc(32, 1));
    expect(f.batch_index!.readInt32BE()).toBe(3);
    expect(f.batch_size!.readInt32BE()).toBe(50);
    expect(f.proof).toEqual(Buffer.concat([Buffer.alloc(32, 2), Buffer.alloc(32, 3)]));
  });

  it('carries bodies byte for byte, multi-byte UTF-8 and control characters included', () => {
    const canonical = Buffer.from('{"note":"a\\\\b\\tc","µ":"€"}');
    const [reading] = stored(input({}, { canonical }));
    expect(reading!.canonical).toEqual(canonical);
    const [row] = decodeBinaryCopy(copyData([reading!]));
    expect(fieldsOf('weather', row!).body).toEqual(canonical);
  });

  it('sends rows lying side by side as one view, and the stream equals the rows in order', () => {
    const readings = stored(...Array.from({ length: 200 }, (_, i) => input({ seq: i })));
    const late = withQflags(readings[100]!, 11);
    const picked = [...readings.slice(0, 100), late, ...readings.slice(101, 150), ...readings.slice(160)];
    const chunks = copyChunks(picked);
    // after the 19-byte header: the rows as they are, then the 2-byte trailer
    expect(
      Buffer.concat(chunks)
        .subarray(19, -2)
        .equals(Buffer.concat(picked.map((r) => r.row))),
    ).toBe(true);
    expect(
      decodeBinaryCopy(Buffer.concat(chunks)).map((row) => fieldsOf('weather', row).seq!.readBigInt64BE()),
    ).toEqual(picked.map((r) => BigInt(r.seq)));
    expect(chunks.length).toBeLessThan(8);
  });

  it('grows past its first size estimate', () => {
    const many = Array.from({ length: 300 }, (_, i) => input({ seq: i }, { canonical: Buffer.alloc(2000, 0x61) }));
    const rows = decodeBinaryCopy(encode(...many));
    expect(rows.map((r) => fieldsOf('weather', r).seq!.readBigInt64BE())).toEqual(many.map((_, i) => BigInt(i)));
  });

  it('names the metric columns exactly as the catalogue does, all double precision', () => {
    for (const kind of ['weather', 'vehicle', 'energy'] as const) {
      const types = readingColumnTypes(kind);
      for (const name of metricNames(kind)) {
        expect(types.get(name)).toBe('double precision');
      }
    }
  });

  it('patches other quality flags into a copy of the row, leaving the shared original alone', () => {
    const [reading] = stored(input({}));
    const late = withQflags(reading!, 3 | 8);
    expect(late.row.readInt32BE(late.row.length - 4)).toBe(11);
    expect(reading!.row.readInt32BE(reading!.row.length - 4)).toBe(3);
    expect(fieldsOf('weather', decodeBinaryCopy(copyData([late]))[0]!).qflags!.readInt32BE()).toBe(11);
  });

  it('refuses a reading of another kind as a JSON record', () => {
    expect(() => readingRecords('energy', stored(input({})))).toThrow(RangeError);
  });
});

describe('JSON records (the path without COPY)', () => {
  it('holds every column, byte strings in bytea hex input form', () => {
    const canonical = Buffer.from(JSON.stringify({ metrics: { temperature: 11.5 } }));
    const batch = { root: Buffer.alloc(32, 1), index: 0, size: 2 };
    const [record] = readingRecords('weather', stored(input({}, { batch, proof: [Buffer.alloc(32, 2)], canonical })));
    expect(Object.keys(record!).sort()).toEqual([...readingColumns('weather')].sort());
    expect(record).toMatchObject({
      device_id: device,
      seq: 7,
      ts: '2026-11-25T12:30:15.250Z',
      body: canonical.toString(),
      sig: '\\x' + 'ab'.repeat(64),
      batch_root: '\\x' + '01'.repeat(32),
      proof: '\\x' + '02'.repeat(32),
      temperature: 11.5,
      humidity: null,
    });
  });
});
