import { canonicalize, NodeCryptoVerifier } from '@groundtruth/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceKeys, exportRowOf, signedReadings } from '../fixtures/signed-readings.js';
import { splitRecord } from './csv-records.js';
import { RowCodec, type ExportRow } from './export-row.js';
import { checkRow } from './row-check.js';
import { csvHeader, csvLine, rowFromFields, rowFromJson, RowFormatError } from './row-format.js';

const METRICS = ['humidity', 'pressure', 'temperature', 'wind_direction'];
const codec = new RowCodec(METRICS);
const [key] = deviceKeys(1, 42);
const plan = {
  kind: 'weather' as const,
  key: key!,
  firstSeq: 10,
  count: 7,
  startTs: Date.UTC(2026, 0, 1),
  intervalMs: 60_000,
};
const singles = signedReadings({ ...plan, batchSize: 1, loc: { lat: 52.09, lon: 5.12, alt: 3.5 } }).map((r) =>
  exportRowOf(r, METRICS),
);
const batched = signedReadings({ ...plan, firstSeq: 100, batchSize: 5 }).map((r) => exportRowOf(r, METRICS));
const verifier = new NodeCryptoVerifier();

const nullable = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: null });
const rowArb: fc.Arbitrary<ExportRow> = fc
  .record({
    device: fc.constant(key!.deviceId as string),
    seq: fc.nat(),
    ts: fc.integer({ min: 1_600_000_000_000, max: 4_000_000_000_000 }),
    lat: nullable(fc.double({ min: -90, max: 90, noNaN: true })),
    lon: nullable(fc.double({ min: -180, max: 180, noNaN: true })),
    alt: nullable(fc.double({ noNaN: true, noDefaultInfinity: true })),
    values: fc.array(nullable(fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 4, maxLength: 4 }),
    qflags: fc.nat({ max: 0xffff }),
    body: fc.string({ unit: 'binary' }),
    sig: fc.base64String({ minLength: 4, maxLength: 88 }),
    batchRoot: fc.option(fc.base64String({ minLength: 4, maxLength: 44 }), { nil: null }),
    batchIndex: nullable(fc.nat()),
    batchSize: nullable(fc.nat()),
    proof: fc.option(fc.base64String({ maxLength: 100 }), { nil: null }),
  })
  .map((row) => ({
    ...row,
    proof: row.batchRoot === null ? (row.proof === '' ? null : row.proof) : (row.proof ?? ''),
  }));

describe('RowCodec', () => {
  it('encodes a row exactly as RFC 8785 canonicalizes its JSON form (property)', () => {
    fc.assert(
      fc.property(rowArb, (row) => {
        expect(codec.canonical(row)).toBe(canonicalize(codec.toJson(row)));
      }),
      { numRuns: 300 },
    );
  });

  it('escapes any device text as RFC 8785 does (property)', () => {
    fc.assert(
      fc.property(rowArb, fc.string({ unit: 'binary' }), (row, device) => {
        const odd = { ...row, device };
        expect(codec.canonical(odd)).toBe(canonicalize(codec.toJson(odd)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips rows through CSV and JSONL to the same canonical encoding (property)', () => {
    fc.assert(
      fc.property(rowArb, (row) => {
        const line = csvLine(codec, row);
        const fields = splitRecord(line.slice(0, -1));
        expect(codec.canonical(rowFromFields(codec, fields!))).toBe(codec.canonical(row));
        expect(codec.canonical(rowFromJson(codec, JSON.parse(codec.canonical(row))))).toBe(codec.canonical(row));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the header of its columns', () => {
    expect(csvHeader(codec)).toBe(
      'device,seq,ts,lat,lon,alt,humidity,pressure,temperature,wind_direction,qflags,body,sig,batch_root,batch_index,batch_size,proof\n',
    );
  });

  it('refuses metric columns that collide with provenance columns', () => {
    expect(() => new RowCodec(['body'])).toThrow(RangeError);
  });

  it('refuses unreadable fields with a RowFormatError', () => {
    const fields = splitRecord(csvLine(codec, singles[0]!).slice(0, -1))!;
    expect(() => rowFromFields(codec, fields.slice(1))).toThrow(RowFormatError);
    expect(() =>
      rowFromFields(
        codec,
        fields.map((f, i) => (i === 1 ? '1.5' : f)),
      ),
    ).toThrow(/seq/);
    expect(() =>
      rowFromFields(
        codec,
        fields.map((f, i) => (i === 6 ? '0x10' : f)),
      ),
    ).toThrow(/humidity/);
    expect(() => rowFromJson(codec, { ...codec.toJson(singles[0]!), metrics: { humidity: 1 } })).toThrow(
      RowFormatError,
    );
  });
});

describe('checkRow', () => {
  it('proves single-envelope and batch rows against their device key', () => {
    for (const row of [...singles, ...batched]) {
      expect(checkRow(codec, row, 'weather', verifier)).toBeUndefined();
    }
  });

  it('names a row whose column differs from its signed body', () => {
    const row = { ...singles[2]!, values: [99, ...singles[2]!.values.slice(1)] };
    expect(checkRow(codec, row, 'weather', verifier)).toEqual({
      code: 'CONTENT_MISMATCH',
      detail: 'humidity differs from the signed body',
    });
    expect(checkRow(codec, { ...singles[0]!, lat: 1 }, 'weather', verifier)?.code).toBe('CONTENT_MISMATCH');
    expect(checkRow(codec, singles[0]!, 'energy', verifier)?.code).toBe('CONTENT_MISMATCH');
  });

  it('refuses a tampered body (and its columns) as a bad signature or a bad proof', () => {
    const tamper = (row: ExportRow): ExportRow => ({
      ...row,
      body: row.body.replace(/"humidity":(\d+)/, (_m, h: string) => `"humidity":${Number(h) + 1}`),
      values: [row.values[0]! + 1, ...row.values.slice(1)],
    });
    expect(checkRow(codec, tamper(singles[1]!), 'weather', verifier)?.code).toBe('BAD_SIGNATURE');
    expect(checkRow(codec, tamper(batched[1]!), 'weather', verifier)?.code).toBe('BAD_PROOF');
  });

  it('proves a batch of one reading, whose audit path is empty, through CSV', () => {
    const [one] = signedReadings({ ...plan, firstSeq: 500, count: 1, batchSize: 2 }).map((r) =>
      exportRowOf(r, METRICS),
    );
    expect(one!.proof).toBe('');
    const back = rowFromFields(codec, splitRecord(csvLine(codec, one!).slice(0, -1))!);
    expect(back.proof).toBe('');
    expect(checkRow(codec, back, 'weather', verifier)).toBeUndefined();
  });

  it('refuses a batch row moved to another index or with a forged root', () => {
    expect(checkRow(codec, { ...batched[1]!, batchIndex: 2 }, 'weather', verifier)?.code).toBe('BAD_PROOF');
    expect(checkRow(codec, { ...batched[1]!, proof: null }, 'weather', verifier)?.code).toBe('BAD_PROOF');
    const other = batched[6]!; // second batch: valid proof for another root
    expect(checkRow(codec, { ...batched[1]!, sig: other.sig }, 'weather', verifier)?.code).toBe('BAD_SIGNATURE');
  });
});
