import {
  HARDWARE_KINDS,
  isDeviceId,
  MAX_INTERVAL_S,
  MIN_INTERVAL_S,
  MODEL_MAX_LENGTH,
  NONCE_PATTERN,
} from '@groundtruth/protocol';
import { z } from 'zod';
import { DEVICE_STATUSES } from './device-rules.js';

/*
 * zod schemas of the HTTP edge: they validate bodies, params and queries (answering VALIDATION with the failing
 * paths) and document the API in OpenAPI. Bounds come from the protocol's constants; the protocol's own
 * validator then re-checks the signed request before any signature is verified, so the two cannot drift apart
 * silently. Signatures are optional here so that a missing one is answered with its precise code
 * (BAD_OWNER_SIGNATURE, TRANSFER_NOT_SIGNED_BY_NEW_OWNER, ...).
 */

const key = (what: string) =>
  z
    .string()
    .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/)
    .refine(isDeviceId, `${what} must be base58 of a 32-byte ed25519 public key`)
    .describe(`${what}: base58 of a 32-byte ed25519 public key`);

export const deviceIdSchema = key('device id');
export const walletSchema = key('wallet address');
const signature = (what: string) =>
  z.string().optional().describe(`standard base64 of the 64-byte ed25519 signature by ${what} (required)`);
const nonce = z.string().regex(NONCE_PATTERN).describe('32 lowercase hex characters, random per request');
const expiresAt = z.number().int().describe('integer ms UTC; the request is refused after it');

export const locationSchema = z
  .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), alt: z.number().optional() })
  .strict();

export const registrationRequestSchema = z
  .object({
    v: z.literal(1),
    type: z.literal('register'),
    device: deviceIdSchema,
    owner: walletSchema,
    kind: z.enum(HARDWARE_KINDS),
    model: z.string().min(1).max(MODEL_MAX_LENGTH),
    interval_s: z.number().int().min(MIN_INTERVAL_S).max(MAX_INTERVAL_S).describe('declared seconds between readings'),
    location: locationSchema.optional().describe('declared installation place'),
    nonce,
    expires_at: expiresAt,
    maker: walletSchema.optional().describe('the maker key that attested the device'),
  })
  .strict();

export const signedRegistrationSchema = z
  .object({
    request: registrationRequestSchema,
    device_sig: signature('the device key over `gt:v1:register:` ‖ RFC 8785 bytes of request'),
    owner_sig: signature('the owner wallet over the same message'),
    maker_sig: z.string().optional().describe('maker key signature over `gt:v1:attest:` ‖ device public key'),
  })
  .strict()
  .meta({ id: 'SignedRegistration' });

export const signedTransferSchema = z
  .object({
    request: z
      .object({
        v: z.literal(1),
        type: z.literal('transfer'),
        device: deviceIdSchema,
        from_owner: walletSchema,
        to_owner: walletSchema,
        nonce,
        expires_at: expiresAt,
      })
      .strict(),
    from_sig: signature('the current owner over `gt:v1:transfer:` ‖ RFC 8785 bytes of request'),
    to_sig: signature('the new owner over the same message'),
  })
  .strict()
  .meta({ id: 'SignedTransfer' });

export const statusChangeSchema = z
  .object({ reason: z.string().trim().min(1).max(500) })
  .strict()
  .meta({ id: 'StatusChange' });

export const newMakerSchema = z
  .object({ key: key('maker key'), name: z.string().trim().min(1).max(100) })
  .strict()
  .meta({ id: 'NewMaker' });

export const ownerDevicesQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: deviceIdSchema.optional().describe('continue after this device id (ids ascend)'),
  })
  .strict();

// Response shapes (documentation only: the service builds them).
export const deviceViewSchema = z
  .object({
    device: z.string(),
    kind: z.enum(HARDWARE_KINDS),
    owner: z.string().nullable(),
    model: z.string(),
    maker: z.string().nullable(),
    location: locationSchema.nullable(),
    interval_s: z.number().int(),
    status: z.enum(DEVICE_STATUSES),
    status_reason: z.string().nullable(),
    registered_at: z.string(),
    updated_at: z.string(),
    registration: z
      .object({
        request: z.record(z.string(), z.unknown()),
        device_sig: z.string(),
        owner_sig: z.string(),
        maker_sig: z.string().optional(),
      })
      .nullable()
      .describe('the signed registration, to re-verify the first owner binding'),
  })
  .meta({ id: 'Device' });
export type DeviceView = z.infer<typeof deviceViewSchema>;

export const ownerDevicesSchema = z
  .object({ owner: z.string(), devices: z.array(deviceViewSchema), next: z.string().nullable() })
  .meta({ id: 'OwnerDevices' });

export const deviceEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.enum(['registered', 'transferred', 'suspended', 'revoked', 'reinstated']),
    actor: z.string(),
    reason: z.string().nullable(),
    from_owner: z.string().nullable(),
    to_owner: z.string().nullable(),
    evidence: z.unknown().nullable(),
  })
  .meta({ id: 'DeviceEvent' });
export type DeviceEventView = z.infer<typeof deviceEventSchema>;

export const deviceHistorySchema = z
  .object({ device: z.string(), events: z.array(deviceEventSchema) })
  .meta({ id: 'DeviceHistory' });

export const makerViewSchema = z
  .object({ key: z.string(), name: z.string(), registered_by: z.string(), registered_at: z.string() })
  .meta({ id: 'Maker' });
export type MakerView = z.infer<typeof makerViewSchema>;

export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) })
  .meta({ id: 'Error' });
