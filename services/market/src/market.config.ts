import { env } from '@groundtruth/service-kit';
import { z } from 'zod';
import { COMMITMENTS } from './core/payment-check.js';
import { parseQualityTiers } from './core/pricing.js';

const baseUnits = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,20}$/, 'must be a whole number of token base units')
    .default(fallback)
    .transform((text) => BigInt(text));

/**
 * The market's environment, parsed once at start-up with `parseConfig(marketConfigSchema, process.env)`;
 * the embedded runner builds the same object from its own values.
 */
export const marketConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
    MARKET_HOST: env.string('0.0.0.0'),
    MARKET_PORT: env.port(8084),
    /** the network's ed25519 keypair (Solana CLI JSON format); it signs quotes and manifests */
    MARKET_NETWORK_KEY_PATH: env.string('data/market/network-key.json'),
    /** create the network key file when it is missing (embedded and development setups) */
    MARKET_CREATE_NETWORK_KEY: env.bool(false),
    MARKET_EXPORT_DIR: env.string('data/market/exports'),
    /** read dataset rows with COPY TO STDOUT; false: keyset pages of plain SELECTs (PGlite, poolers) */
    MARKET_EXPORT_COPY: env.bool(true),
    /** the reward token deployment written by `programs create-token` (mint, treasury token account) */
    SOLANA_DEPLOYMENT_PATH: env.string('data/solana/deployment.json'),
    SOLANA_RPC_URL: env.url(),
    /** price of one row in base units (6 decimals: 100 = 0.0001 token) */
    MARKET_UNIT_PRICE: baseUnits('100'),
    MARKET_MINIMUM_AMOUNT: baseUnits('1000000'),
    /** `minQuality:multiplier` tiers, e.g. `0:1,0.5:1.5,0.8:2` */
    MARKET_QUALITY_TIERS: z
      .string()
      .default('0:1,0.5:1.5,0.8:2')
      .transform((text, ctx) => {
        try {
          return parseQualityTiers(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    MARKET_QUOTE_TTL_S: env.int(900, 10),
    /** the devices' share of each sale, in basis points (5000 = 50 %) */
    MARKET_REVENUE_SHARE_BPS: env.int(5000, 0).pipe(z.number().max(10_000)),
    MARKET_REQUIRED_COMMITMENT: z.enum(COMMITMENTS).default('confirmed'),
    MARKET_SAMPLE_ROWS: env.int(5, 0).pipe(z.number().max(100)),
    MARKET_LICENSE_ID: env.string('CC-BY-4.0'),
    MARKET_LICENSE_NAME: env.string('Creative Commons Attribution 4.0 International'),
    MARKET_LICENSE_URL: env.string('https://creativecommons.org/licenses/by/4.0/'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((e) => ({
    databaseUrl: e.DATABASE_URL,
    host: e.MARKET_HOST,
    port: e.MARKET_PORT,
    networkKeyPath: e.MARKET_NETWORK_KEY_PATH,
    createNetworkKey: e.MARKET_CREATE_NETWORK_KEY,
    exportDir: e.MARKET_EXPORT_DIR,
    copy: e.MARKET_EXPORT_COPY,
    deploymentPath: e.SOLANA_DEPLOYMENT_PATH,
    rpcUrl: e.SOLANA_RPC_URL,
    prices: { unitPrice: e.MARKET_UNIT_PRICE, tiers: e.MARKET_QUALITY_TIERS, minimumAmount: e.MARKET_MINIMUM_AMOUNT },
    quoteTtlMs: e.MARKET_QUOTE_TTL_S * 1000,
    revenueShareBps: e.MARKET_REVENUE_SHARE_BPS,
    requiredCommitment: e.MARKET_REQUIRED_COMMITMENT,
    sampleRows: e.MARKET_SAMPLE_ROWS,
    license: { id: e.MARKET_LICENSE_ID, name: e.MARKET_LICENSE_NAME, url: e.MARKET_LICENSE_URL },
    logLevel: e.LOG_LEVEL,
  }));

export type MarketConfig = z.infer<typeof marketConfigSchema>;
