import type { ExportRow, RowCodec } from '../core/export-row.js';
import { fastLeafHash } from '../core/fast-hash.js';
import { csvLine } from '../core/row-format.js';

/** The text formats, whose rows are encoded independently of each other (Parquet is columnar). */
export type TextFormat = 'csv' | 'jsonl';

/** A block of rows as file bytes, and their Merkle leaf hashes (32 bytes each, in order). */
export interface EncodedBlock {
  readonly bytes: Uint8Array;
  readonly hashes: Uint8Array;
}

/**
 * Encodes rows as CSV records or JSONL lines (the canonical encoding plus a newline) and hashes each row's
 * canonical encoding, for a block of rows at a time: the lines are encoded straight into one buffer (no
 * joined string, no second copy).
 */
export function encodeBlock(codec: RowCodec, format: TextFormat, rows: readonly ExportRow[]): EncodedBlock {
  const hashes = new Uint8Array(rows.length * 32);
  const lines: string[] = new Array(rows.length);
  let bound = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const canonical = codec.canonical(row);
    hashes.set(fastLeafHash(canonical), i * 32);
    const line = format === 'csv' ? csvLine(codec, row) : canonical + '\n';
    lines[i] = line;
    bound += line.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  }
  const buffer = Buffer.allocUnsafeSlow(bound);
  let used = 0;
  for (const line of lines) {
    used += buffer.write(line, used, 'utf8');
  }
  return { bytes: buffer.subarray(0, used), hashes };
}
