import { env, operatorTokensEnv } from '@groundtruth/service-kit';
import { z } from 'zod';

/**
 * The registry's environment. Parsed once at start-up with `parseConfig(registryConfigSchema, process.env)`;
 * the embedded runner builds the same object from its own values.
 */
export const registryConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
    REGISTRY_HOST: env.string('0.0.0.0'),
    REGISTRY_PORT: env.port(8081),
    /** `name=token,...` bearer tokens for operator routes; empty = operator routes refuse everyone */
    REGISTRY_OPERATOR_TOKENS: operatorTokensEnv(),
    /** longest accepted time between now and a signed request's `expires_at` */
    REGISTRY_MAX_REQUEST_VALIDITY_S: env.int(3600, 1),
    /** refuse registrations without a maker attestation */
    REGISTRY_REQUIRE_MAKER_ATTESTATION: env.bool(false),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((e) => ({
    databaseUrl: e.DATABASE_URL,
    host: e.REGISTRY_HOST,
    port: e.REGISTRY_PORT,
    operatorTokens: e.REGISTRY_OPERATOR_TOKENS,
    maxRequestValidityMs: e.REGISTRY_MAX_REQUEST_VALIDITY_S * 1000,
    requireMakerAttestation: e.REGISTRY_REQUIRE_MAKER_ATTESTATION,
    logLevel: e.LOG_LEVEL,
  }));

export type RegistryConfig = z.infer<typeof registryConfigSchema>;
