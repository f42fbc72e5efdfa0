import { isDeviceId } from '@groundtruth/protocol';
import { z } from 'zod';
import { datasetQueryInput } from '../core/dataset-query.js';
import { EXPORT_FORMATS } from '../core/manifest.js';

/*
 * zod schemas of the HTTP edge: they validate params and bodies and document the API in OpenAPI. The dataset
 * query is validated by the core's own parser (one definition of what a query is).
 */

export const hexId = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .describe(`${what}: 32 lowercase hex characters`);

export const deviceIdSchema = z
  .string()
  .refine(isDeviceId, 'must be base58 of a 32-byte ed25519 public key')
  .describe('device id: base58 of a 32-byte ed25519 public key');
export const walletSchema = deviceIdSchema.describe('owner wallet: a base58 Solana address');

/** A dataset query as a JSON body (POST /quotes); the same fields as the catalogue's query string. */
export const quoteRequestSchema = datasetQueryInput.describe(
  'kind, metrics (every row has all), bbox [minLon,minLat,maxLon,maxLat] or H3 cells, from/to (ISO or ms, [from, to)), minQuality 0..1, excludeFlagged',
);

/** The catalogue's query string: the dataset query without the kind (a path parameter). */
export const catalogueQuerySchema = z
  .record(z.string(), z.unknown())
  .describe(
    'metrics=a,b&bbox=minLon,minLat,maxLon,maxLat | cells=h3,h3&from=ISO|ms&to=ISO|ms&minQuality=0..1&excludeFlagged=true',
  );

export const paymentRequestSchema = z
  .object({
    signature: z
      .string()
      .regex(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/, 'must be a base58 transaction signature')
      .describe('base58 signature of the payment transaction'),
  })
  .strict();

export const exportRequestSchema = z.object({ format: z.enum(EXPORT_FORMATS).default('csv') }).strict();

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});
