import { describe, expect, it } from 'vitest';
import type { DeviceSeries } from '../core/series.js';
import { metricsOf } from '../core/variables.js';
import { BinaryCopyError, ReadingsCopyDecoder } from './binary-copy.js';

const PG_EPOCH_MS = 946_684_800_000;

interface Row {
  device: string;
  seq: number;
  /** µs since the Unix epoch (the server keeps µs) */
  tsUs: bigint;
  recvUs: bigint;
  lat?: number;
  hdop?: number;
  sats?: number;
  temperature?: number;
  qflags: number;
}

/** A binary COPY stream of readings_weather's selected columns, as PostgreSQL writes it. */
function encode(rows: readonly Row[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const metrics = metricsOf('weather').map((m) => m.name);
  const field = (bytes: Buffer | undefined) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes === undefined ? -1 : bytes.length);
    parts.push(length, ...(bytes ? [bytes] : []));
  };
  const int8 = (x: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(x);
    return b;
  };
  const f8 = (x: number | undefined) => {
    if (x === undefined) {
      return undefined;
    }
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    return b;
  };
  for (const r of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(9 + metrics.length + 1);
    parts.push(count);
    field(Buffer.from(r.device, 'utf8'));
    field(int8(BigInt(r.seq)));
    field(int8(r.tsUs - BigInt(PG_EPOCH_MS) * 1000n));
    field(int8(r.recvUs - BigInt(PG_EPOCH_MS) * 1000n));
    field(f8(r.lat));
    field(f8(r.lat === undefined ? undefined : 5));
    field(undefined);
    field(
      r.hdop === undefined
        ? undefined
        : (() => {
            const b = Buffer.alloc(4);
            b.writeFloatBE(r.hdop);
            return b;
          })(),
    );
    field(
      r.sats === undefined
        ? undefined
        : (() => {
            const b = Buffer.alloc(2);
            b.writeInt16BE(r.sats);
            return b;
          })(),
    );
    for (const name of metrics) {
      field(f8(name === 'temperature' ? r.temperature : undefined));
    }
    const q = Buffer.alloc(4);
    q.writeInt32BE(r.qflags);
    field(q);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

const T0 = BigInt(Date.UTC(2026, 5, 1)) * 1000n;
const rows: Row[] = [
  { device: 'b', seq: 2, tsUs: T0 + 60_000_000n, recvUs: T0 + 61_500_400n, temperature: 12.5, qflags: 0 },
  { device: 'a', seq: 7, tsUs: T0 + 1_500n, recvUs: T0 + 2_000_499n, lat: 52.1, hdop: 0.9, sats: 9, qflags: 3 },
  { device: 'b', seq: 1, tsUs: T0, recvUs: T0 + 1_000_000n, temperature: -3.25, qflags: 0 },
  { device: 'a', seq: 8, tsUs: T0 + 60_000_000n, recvUs: T0 + 62_000_000n, temperature: 11, qflags: 0 },
];

function decodeInChunks(bytes: Buffer, size: (k: number) => number): DeviceSeries[] {
  const decoder = new ReadingsCopyDecoder('weather');
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const next = Math.min(bytes.length, at + size(k));
    decoder.push(bytes.subarray(at, next));
    at = next;
  }
  const out: DeviceSeries[] = [];
  decoder.end((series) => out.push(series));
  return out;
}

describe('binary COPY decoder', () => {
  it('groups rows by device (id order), sorts each by time and rounds times to ms like the cursor path', () => {
    const [a, b] = decodeInChunks(encode(rows), () => 1 << 16);
    expect([a!.device, b!.device]).toEqual(['a', 'b']);
    expect(Array.from(b!.seq)).toEqual([1, 2]);
    expect(Array.from(b!.ts)).toEqual([Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 1) + 60_000]);
    expect(Array.from(b!.recv)).toEqual([Date.UTC(2026, 5, 1) + 1000, Date.UTC(2026, 5, 1) + 61_500]);
    // 1.5 ms → 2 ms (half up, as round(numeric)); 2000.499 ms → 2000 ms
    expect(a!.ts[0]).toBe(Date.UTC(2026, 5, 1) + 2);
    expect(a!.recv[0]).toBe(Date.UTC(2026, 5, 1) + 2000);
    expect([a!.lat[0], a!.lon[0], a!.hdop[0], a!.sats[0], a!.qflags[0]]).toEqual([52.1, 5, Math.fround(0.9), 9, 3]);
    expect(Number.isNaN(a!.alt[0]!) && Number.isNaN(a!.lat[1]!) && Number.isNaN(a!.values[0]![0]!)).toBe(true);
    expect(Array.from(b!.values[0]!)).toEqual([-3.25, 12.5]);
  });

  it('decodes the same whatever the chunk boundaries (one byte at a time, odd sizes)', () => {
    const bytes = encode(rows);
    const whole = decodeInChunks(bytes, () => bytes.length);
    expect(decodeInChunks(bytes, () => 1)).toEqual(whole);
    expect(decodeInChunks(bytes, (k) => 3 + ((k * 7) % 11))).toEqual(whole);
  });

  it('keeps every row when its buffers grow (10 000 rows of 7 devices)', () => {
    const many: Row[] = Array.from({ length: 10_000 }, (_, k) => ({
      device: `dev-${k % 7}`,
      seq: k,
      tsUs: T0 + BigInt(k) * 60_000_000n,
      recvUs: T0 + BigInt(k) * 60_000_000n + 1_000_000n,
      temperature: k / 10,
      qflags: k % 3,
    }));
    const series = decodeInChunks(encode(many), () => 65_536);
    expect(series.map((s) => s.n)).toEqual([1429, 1429, 1429, 1429, 1428, 1428, 1428]);
    const d3 = series[3]!;
    expect(Array.from(d3.seq.subarray(0, 3))).toEqual([3, 10, 17]);
    expect(Array.from(d3.values[0]!.subarray(0, 3))).toEqual([0.3, 1, 1.7]);
    expect(d3.qflags[1]).toBe(1);
  });

  it('refuses a stream that is not binary COPY, or that ends before its trailer', () => {
    expect(() => new ReadingsCopyDecoder('weather').push(Buffer.from('PGCOPY\nxxxxxxxxxxxxxxxxxxxxxx'))).toThrow(
      BinaryCopyError,
    );
    const cut = encode(rows).subarray(0, 100);
    const decoder = new ReadingsCopyDecoder('weather');
    decoder.push(cut);
    expect(() => decoder.end(() => undefined)).toThrow(/before its trailer/);
  });
});
