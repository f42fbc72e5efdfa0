import { deviceIdFromPublicKey, metricNames, type ReadingBody } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { encodeCopyRows, readingColumns, type StoredReading } from './copy.encoder.js';

const device = deviceIdFromPublicKey(new Uint8Array(32).fill(9));
const T = Date.UTC(2026, 10, 25, 12, 30, 15, 250);

function reading(body: Partial<ReadingBody>, extra: Partial<StoredReading> = {}): StoredReading {
  const full: ReadingBody = { v: 1, device, kind: 'weather', seq: 7, ts: T, metrics: { temperature: 11.5 }, ...body };
  return { body: full, canonical: '{"x":1}', receivedAt: T + 1000, sig: Buffer.alloc(64, 0xab), qflags: 3, ...extra };
}

describe('COPY text encoding of readings', () => {
  it('writes one line per reading with one field per column', () => {
    const text = encodeCopyRows('weather', [reading({}), reading({ seq: 8 })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    for (const line of lines.slice(0, 2)) {
      expect(line.split('\t')).toHaveLength(readingColumns('weather').length);
    }
  });

  it('puts each value under its column, with \\N for what the reading lacks', () => {
    const row = encodeCopyRows('weather', [reading({ loc: { lat: 52.1, lon: 5.12, sats: 9 } })])
      .trimEnd()
      .split('\t');
    const field = Object.fromEntries(readingColumns('weather').map((name, i) => [name, row[i]]));
    expect(field).toMatchObject({
      device_id: device,
      seq: '7',
      ts: '2026-11-25T12:30:15.250Z',
      received_at: '2026-11-25T12:30:16.250Z',
      lat: '52.1',
      lon: '5.12',
      alt: '\\N',
      sats: '9',
      temperature: '11.5',
      humidity: '\\N',
      body: '{"x":1}',
      sig: '\\\\x' + 'ab'.repeat(64),
      batch_root: '\\N',
      proof: '\\N',
      qflags: '3',
    });
  });

  it('writes batch provenance as hex bytea and integers', () => {
    const batch = { root: Buffer.alloc(32, 1), index: 3, size: 50, proof: Buffer.alloc(64, 2) };
    const row = encodeCopyRows('weather', [reading({}, { batch })])
      .trimEnd()
      .split('\t');
    const columns = readingColumns('weather');
    expect(row[columns.indexOf('batch_root')]).toBe('\\\\x' + '01'.repeat(32));
    expect(row[columns.indexOf('batch_index')]).toBe('3');
    expect(row[columns.indexOf('batch_size')]).toBe('50');
    expect(row[columns.indexOf('proof')]).toBe('\\\\x' + '02'.repeat(64));
  });

  it('escapes the characters COPY text gives meaning to', () => {
    const row = encodeCopyRows('weather', [reading({}, { canonical: 'a\\b\tc\nd\re' })]);
    expect(row).toContain('a\\\\b\\tc\\nd\\re');
    expect(row.split('\n')).toHaveLength(2);
  });

  it('writes extreme but valid numbers in a form float8 input accepts', () => {
    const row = encodeCopyRows('energy', [
      reading({ kind: 'energy', metrics: { energy_import_t1: 1e21, power_import: -0 } }),
    ]);
    expect(row).toContain('\t1e+21\t');
  });

  it('names the metric columns exactly as the catalogue does', () => {
    for (const kind of ['weather', 'vehicle', 'energy'] as const) {
      expect(readingColumns(kind)).toEqual(expect.arrayContaining([...metricNames(kind)]));
    }
  });

  it('refuses a reading of another kind', () => {
    expect(() => encodeCopyRows('energy', [reading({})])).toThrow(RangeError);
  });
});
