import { isDeviceId } from '@groundtruth/protocol';
import { z } from 'zod';
import { isAlgorithmVersion } from '../core/version.js';

/*
 * zod schemas of the HTTP edge: they validate params, queries and bodies (VALIDATION with the failing paths) and
 * document the API in OpenAPI. Epoch numbers in paths and queries are parsed by the service (BAD_EPOCH).
 */

export const deviceIdSchema = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/)
  .refine(isDeviceId, 'device id must be base58 of a 32-byte ed25519 public key')
  .describe('device id: base58 of a 32-byte ed25519 public key');

const versionSchema = z
  .string()
  .refine(isAlgorithmVersion, 'an algorithm version looks like qod-<major>.<minor>.<patch>')
  .describe('algorithm version, e.g. qod-1.0.0');

const epochText = z.string().describe('epoch number (non-negative integer)');

export const qualityQuerySchema = z
  .object({
    epoch: epochText.optional().describe('epoch number; default the newest epoch the device was scored in'),
    version: versionSchema.optional().describe('a version the epoch was scored with; default the newest'),
    top: z.coerce.number().int().min(1).max(30).default(3).describe('how many costly checks to explain'),
  })
  .strict();

export const deviceScoresQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(30),
    before: z.coerce.number().int().min(0).optional().describe('only epochs before this one (paging)'),
  })
  .strict();

export const epochScoresQuerySchema = z
  .object({
    version: versionSchema.optional().describe('only scores of this version; default each device’s newest'),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    after: deviceIdSchema.optional().describe('only devices after this id (paging)'),
  })
  .strict();

export const runIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('run id');

export const rescoreBodySchema = z
  .object({
    reason: z.string().min(1).max(500).describe('why (recorded in the run ledger)'),
    version: versionSchema.optional().describe('default the newest version this build has'),
    device: deviceIdSchema.optional().describe('re-score only this device (its neighbours are read)'),
  })
  .strict()
  .meta({ id: 'RescoreRequest' });

export const appealBodySchema = z
  .object({
    request: z
      .object({
        device: deviceIdSchema,
        epoch: z.number().int().min(0).describe('the epoch appealed'),
        version: versionSchema.describe('the newer version to re-score with'),
        reason: z.string().min(1).max(500),
        expires_at: z.number().int().describe('ms UTC; at most SCORING_APPEAL_MAX_VALIDITY_SECONDS ahead'),
      })
      .strict(),
    signature: z
      .string()
      .describe(
        'standard base64 of the 64-byte ed25519 signature by the owner wallet over `gt:v1:scoring-appeal:` ‖ RFC 8785 bytes of request',
      ),
  })
  .strict()
  .meta({ id: 'SignedAppeal' });

export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) })
  .meta({ id: 'Error' });

const exampleSchema = z.union([
  z.object({
    check: z.string(),
    at: z.string(),
    seq: z.number(),
    checks: z.array(z.string()),
    variables: z.array(z.string()),
    reading: z
      .object({
        received_at: z.string(),
        location: z.object({ lat: z.number(), lon: z.number() }).optional(),
        values: z.record(z.string(), z.number()),
      })
      .optional(),
  }),
  z.object({ check: z.string(), hour: z.string(), detail: z.unknown() }),
]);

export const qualitySchema = z
  .object({
    device: z.string(),
    kind: z.string(),
    epoch: z.number(),
    start: z.string(),
    end: z.string(),
    version: z.string(),
    quality: z.number(),
    location_score: z.number(),
    availability: z.number(),
    reasons: z.array(z.string()),
    reason_details: z.array(z.object({ code: z.string(), meaning: z.string() })),
    summary: z.string(),
    costliest: z.array(
      z.object({
        check: z.string(),
        reason: z.string(),
        about: z.string(),
        cost: z.number(),
        flagged: z.number(),
        detail: z.string(),
        examples: z.array(exampleSchema),
      }),
    ),
    breakdown: z.record(z.string(), z.unknown()).describe('the full per-variable and per-check breakdown'),
    other_versions: z.array(z.object({ version: z.string(), quality: z.number(), scoredAt: z.string() })),
    run_id: z.number().nullable(),
    scored_at: z.string(),
  })
  .meta({ id: 'QualityExplanation' });

const scoreViewSchema = z.object({
  device: z.string(),
  kind: z.string(),
  epoch: z.number().nullable(),
  version: z.string(),
  quality: z.number(),
  location_score: z.number(),
  availability: z.number(),
  reasons: z.array(z.string()),
  scored_at: z.string(),
  run_id: z.number().nullable(),
});

export const deviceScoresSchema = z
  .object({
    device: z.string(),
    kind: z.string(),
    scores: z.array(scoreViewSchema),
    next_before: z.number().nullable(),
  })
  .meta({ id: 'DeviceScores' });

export const epochScoresSchema = z
  .object({
    epoch: z.number(),
    start: z.string(),
    end: z.string(),
    complete: z.boolean(),
    version: z.string().nullable(),
    scores: z.array(scoreViewSchema),
    next_after: z.string().nullable(),
  })
  .meta({ id: 'EpochScores' });

const runFields = {
  id: z.number(),
  kind: z.enum(['scheduled', 'rescore', 'appeal']),
  status: z.enum(['running', 'done', 'failed']),
  version: z.string(),
  device: z.string().nullable(),
  requested_by: z.string(),
  reason: z.string(),
  requested_at: z.string(),
  finished_at: z.string().nullable(),
  devices_scored: z.number().nullable(),
  digest: z.string().nullable(),
  error: z.string().nullable(),
};

export const runSchema = z
  .object({
    ...runFields,
    epoch: z.number().nullable(),
    start: z.string(),
    end: z.string(),
    previous_version: z.string().nullable(),
  })
  .meta({ id: 'Run' });

export const epochRunsSchema = z
  .object({ epoch: z.number(), runs: z.array(z.object(runFields)) })
  .meta({ id: 'EpochRuns' });

export const rescoreOutcomeSchema = z
  .union([
    z.object({
      status: z.literal('done'),
      epoch: z.number(),
      run: runSchema,
      repeat_of: z.object({ run_id: z.number(), digest: z.string().nullable(), same_digest: z.boolean() }).nullable(),
      change: z
        .object({
          device: z.string(),
          before: z.object({ version: z.string(), quality: z.number() }).nullable(),
          after: z.object({ version: z.string(), quality: z.number(), reasons: z.array(z.string()) }).nullable(),
        })
        .nullable(),
    }),
    z.object({ status: z.literal('accepted'), epoch: z.number(), runs: z.string() }),
  ])
  .meta({ id: 'RescoreOutcome' });

export const versionsSchema = z
  .object({ scheduled: z.string(), latest: z.string(), available: z.array(z.string()) })
  .meta({ id: 'Versions' });
