import type { EncodedBlock, TextFormat } from '../core/export-bytes.js';
import type { ExportRow, RowCodec } from '../core/export-row.js';
import { fastLeafHash } from '../core/fast-hash.js';
import { csvLine } from '../core/row-format.js';

/**
 * Encodes row objects as CSV records or JSONL lines (the canonical encoding plus a newline) and hashes each
 * row's canonical encoding, a block of rows at a time: the lines are encoded straight into one buffer (no
 * joined string, no second copy). The export path for rows that come as objects (paged reads, PGlite);
 * binary COPY reads build the same bytes without objects (core/export-bytes.ts).
 */
export function encodeBlock(codec: RowCodec, format: TextFormat, rows: readonly ExportRow[]): EncodedBlock {
  const hashes = new Uint8Array(rows.length * 32);
  const lines: string[] = new Array(rows.length);
  const devices = new Set<string>();
  let first: number | null = null;
  let last: number | null = null;
  let bound = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const canonical = codec.canonical(row);
    hashes.set(fastLeafHash(canonical), i * 32);
    const line = format === 'csv' ? csvLine(codec, row) : canonical + '\n';
    lines[i] = line;
    bound += line.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
    devices.add(row.device);
    first = first === null || row.ts < first ? row.ts : first;
    last = last === null || row.ts > last ? row.ts : last;
  }
  const buffer = Buffer.allocUnsafeSlow(bound);
  let used = 0;
  for (const line of lines) {
    used += buffer.write(line, used, 'utf8');
  }
  return { rows: rows.length, bytes: buffer.subarray(0, used), hashes, devices, first, last };
}
