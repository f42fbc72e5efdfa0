import type { ExportRow } from './export-row.js';
import { normalizeProof } from './row-format.js';

const hexToBase64 = (hex: string | null): string | null =>
  hex === null ? null : Buffer.from(hex, 'hex').toString('base64');
const num = (text: string | null): number | null => (text === null ? null : Number(text));

/**
 * Maps the fields of one exported COPY line (columns of `exportSelect`) to an export row; binary columns
 * arrive as hex and leave as base64. Location columns after the row's own (H3 filtering) are ignored here.
 */
export function rowFromCopyFields(fields: readonly (string | null)[], metricCount: number): ExportRow {
  const values: (number | null)[] = new Array(metricCount);
  for (let i = 0; i < metricCount; i++) {
    values[i] = num(fields[6 + i]!);
  }
  const p = 6 + metricCount;
  const batchRoot = hexToBase64(fields[p + 3]!);
  return {
    device: fields[0]!,
    seq: Number(fields[1]),
    ts: Number(fields[2]),
    lat: num(fields[3]!),
    lon: num(fields[4]!),
    alt: num(fields[5]!),
    values,
    qflags: Number(fields[p]),
    body: fields[p + 1]!,
    sig: hexToBase64(fields[p + 2]!)!,
    batchRoot,
    batchIndex: num(fields[p + 4]!),
    batchSize: num(fields[p + 5]!),
    proof: normalizeProof(batchRoot, hexToBase64(fields[p + 6]!)),
  };
}
