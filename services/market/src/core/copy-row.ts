import type { ExportRow } from './export-row.js';
import { normalizeProof } from './row-format.js';

const num = (text: string | null): number | null => (text === null ? null : Number(text));

/**
 * Maps the fields of one exported COPY line (columns of `exportSelect`) to an export row; binary columns
 * arrive as base64 already. Location columns after the row's own (H3 filtering) are ignored here.
 */
export function rowFromCopyFields(fields: readonly (string | null)[], metricCount: number): ExportRow {
  const values: (number | null)[] = new Array(metricCount);
  for (let i = 0; i < metricCount; i++) {
    values[i] = num(fields[6 + i]!);
  }
  const p = 6 + metricCount;
  const batchRoot = fields[p + 3]!;
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
    sig: fields[p + 2]!,
    batchRoot,
    batchIndex: num(fields[p + 4]!),
    batchSize: num(fields[p + 5]!),
    proof: normalizeProof(batchRoot, fields[p + 6]!),
  };
}
