import { z } from 'zod';
import { EXPORT_FORMATS, type SignedManifest } from './manifest.js';
import { MarketError } from './market-error.js';

const int = z.number().int().nonnegative();

/** The shape of an untrusted manifest.json; its signature and root are checked separately. */
const manifestSchema = z.object({
  v: z.literal(1),
  type: z.literal('groundtruth.dataset-export'),
  orderId: z.string(),
  query: z.record(z.string(), z.unknown()),
  format: z.enum(EXPORT_FORMATS),
  columns: z.array(z.string()).min(14),
  file: z.object({ name: z.string(), bytes: int, sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  rows: int,
  devices: int,
  timeRange: z.object({ first: z.number().int(), last: z.number().int() }).nullable(),
  merkle: z.object({
    algorithm: z.literal('rfc9162-sha256'),
    leaves: z.literal('export-row-rfc8785'),
    root: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    chunkSize: z
      .number()
      .int()
      .positive()
      .refine((n) => (n & (n - 1)) === 0, 'a power of two'),
    chunkRoots: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  }),
  license: z.object({ id: z.string(), name: z.string(), url: z.string() }),
  createdAt: z.string(),
  network: z.string(),
  signature: z.string(),
});

export function parseManifest(text: string): SignedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MarketError('BAD_MANIFEST', 'manifest.json is not JSON');
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MarketError('BAD_MANIFEST', `manifest.json ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data as SignedManifest;
}

/** The metric columns of an export: those between the location and the provenance columns. */
export function manifestMetrics(manifest: SignedManifest): string[] {
  const columns = manifest.columns;
  const start = columns.indexOf('alt') + 1;
  const end = columns.indexOf('qflags');
  if (start !== 6 || end < start) {
    throw new MarketError('BAD_MANIFEST', "manifest columns are not an export's columns");
  }
  return columns.slice(start, end);
}
