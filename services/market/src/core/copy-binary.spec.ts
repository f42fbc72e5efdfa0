import { describe, expect, it } from 'vitest';
import { BinaryCopyParser, CopyFormatError } from './copy-binary.js';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

function tuple(fields: readonly (string | null)[]): Buffer {
  const parts = [Buffer.from([fields.length >> 8, fields.length & 255])];
  for (const field of fields) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(field === null ? -1 : Buffer.byteLength(field));
    parts.push(length, Buffer.from(field ?? ''));
  }
  return Buffer.concat(parts);
}

function parseAll(chunks: readonly Buffer[], width = 3): (string | null)[][] {
  const rows: (string | null)[][] = [];
  const parser = new BinaryCopyParser(width, (buffer, fields) => {
    const row: (string | null)[] = [];
    for (let i = 0; i < width; i++) {
      row.push(fields[2 * i]! < 0 ? null : buffer.toString('utf8', fields[2 * i], fields[2 * i + 1]));
    }
    rows.push(row);
  });
  chunks.forEach((chunk) => parser.push(chunk));
  parser.finish();
  return rows;
}

const ROWS: (string | null)[][] = [
  ['a', null, ''],
  ['héllo "quoted"', 'tab\tand\nnewline', 'x'.repeat(300)],
  [null, null, null],
];
const STREAM = Buffer.concat([HEADER, ...ROWS.map(tuple), TRAILER]);

describe('BinaryCopyParser', () => {
  it('reads every tuple whole, NULLs apart from empty fields', () => {
    expect(parseAll([STREAM])).toEqual(ROWS);
  });

  it('gives the same tuples however the stream is cut into chunks', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(parseAll([STREAM.subarray(0, cut), STREAM.subarray(cut)])).toEqual(ROWS);
    }
    const bytes = [...STREAM].map((byte) => Buffer.from([byte]));
    expect(parseAll(bytes)).toEqual(ROWS);
  });

  it('joins a tuple cut between large chunks without losing or repeating one, also one larger than 64 KiB', () => {
    const rows: (string | null)[][] = Array.from({ length: 400 }, (_, i) => [String(i), 'y'.repeat(i * 7), null]);
    rows.splice(200, 0, ['huge', 'z'.repeat(200_000), 'end']);
    const stream = Buffer.concat([HEADER, ...rows.map(tuple), TRAILER]);
    for (const cut of [30, 150_000, 250_000, 420_000, stream.length - 1]) {
      expect(parseAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(rows);
    }
    const thirds = [0, 100_000, 300_000, stream.length].map((at) => Math.min(at, stream.length));
    expect(parseAll(thirds.slice(1).map((end, i) => stream.subarray(thirds[i], end)))).toEqual(rows);
  });

  it('refuses what is not a binary COPY stream, a wrong width, a cut stream and bytes after the end', () => {
    expect(() => parseAll([Buffer.concat([Buffer.from('PGCOPY\nxxxxxxxxxxxxx'), TRAILER])])).toThrow(CopyFormatError);
    expect(() => parseAll([STREAM], 2)).toThrow(/a tuple of 3 fields, expected 2/);
    expect(() => parseAll([STREAM.subarray(0, STREAM.length - 5)])).toThrow(/ended inside a tuple/);
    expect(() => parseAll([STREAM, Buffer.from([0])])).toThrow(/after the end/);
    expect(() => parseAll([Buffer.concat([STREAM, Buffer.from([0])])])).toThrow(/after the end/);
  });
});
