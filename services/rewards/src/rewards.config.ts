import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import { env } from '@groundtruth/service-kit';
import { z } from 'zod';
import { REWARDS_ALGORITHM_VERSION, type RewardParams } from './core/params.js';

/** `weather:50,vehicle:25,energy:25` → per-kind integers (kinds left out get `fallback`). */
function perKind(fallback: number, integer = true) {
  return z.string().transform((text, ctx): Record<HardwareKind, number> => {
    const out = Object.fromEntries(HARDWARE_KINDS.map((k) => [k, fallback])) as Record<HardwareKind, number>;
    for (const item of text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [kind, value] = item.split(':');
      const n = Number(value);
      if (
        !HARDWARE_KINDS.includes(kind as HardwareKind) ||
        !Number.isFinite(n) ||
        n < 0 ||
        (integer && !Number.isInteger(n))
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}" is not <weather|vehicle|energy>:<non-negative ${integer ? 'integer' : 'number'}>`,
        });
        return z.NEVER;
      }
      out[kind as HardwareKind] = n;
    }
    return out;
  });
}

const multipliers = z.string().transform((text, ctx): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.lastIndexOf(':');
    const n = Number(item.slice(at + 1));
    if (at <= 0 || !Number.isFinite(n) || n < 0 || n > 1000) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not <model>:<multiplier 0..1000>` });
      return z.NEVER;
    }
    out[item.slice(0, at)] = n;
  }
  return out;
});

const baseUnits = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,20}$/, 'must be an integer number of token base units')
    .default(fallback)
    .transform(BigInt);

/**
 * The rewards service's environment, parsed once at start-up with `parseConfig(rewardsConfigSchema, process.env)`.
 * Defaults: UTC-day epochs from 2025-01-01, 1 h grace, 100,000 tokens per epoch split 50/25/25.
 */
export const rewardsConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
    REWARDS_HOST: env.string('0.0.0.0'),
    REWARDS_PORT: env.port(8083),
    REWARDS_GENESIS: z.iso.datetime({ offset: true }).default('2025-01-01T00:00:00Z'),
    REWARDS_EPOCH_SECONDS: env.int(86_400, 1),
    REWARDS_GRACE_SECONDS: env.int(3_600, 0),
    /** first epoch to close on a fresh database (default: the last closable one) */
    REWARDS_FIRST_EPOCH: z.coerce.number().int().min(0).optional(),
    REWARDS_EMISSION_PER_EPOCH: baseUnits('100000000000'),
    REWARDS_EMISSION_START_EPOCH: env.int(0, 0),
    REWARDS_HALVING_EPOCHS: env.int(0, 0),
    REWARDS_DECAY_PPM: env.int(0, 0),
    REWARDS_SPLIT: perKind(0).prefault('weather:50,vehicle:25,energy:25'),
    REWARDS_MIN_QUALITY: z.coerce.number().min(0).max(1).default(0.3),
    REWARDS_CELL_RESOLUTION: z.coerce.number().int().min(0).max(15).default(8),
    REWARDS_CELL_CAPACITY: perKind(0).prefault('weather:3,vehicle:0,energy:3'),
    REWARDS_CLASS_MULTIPLIERS: multipliers.prefault(''),
    /** wallets per payout transaction; default the most that fit (measured for this authority) */
    REWARDS_WALLETS_PER_TX: z.coerce.number().int().min(1).max(64).optional(),
    /** the reward token deployment written by `gt-programs create-token` */
    REWARDS_DEPLOYMENT_FILE: z.string().min(1).optional(),
    /** keypair file of the mint authority (keypair mode) */
    REWARDS_MINT_AUTHORITY_KEYPAIR: z.string().min(1).optional(),
    /** comma-separated keypair files of the m multisig members this runner holds (multisig mode) */
    REWARDS_MULTISIG_SIGNER_KEYPAIRS: z.string().min(1).optional(),
    /** keypair that pays fees and token-account rent; default the mint authority keypair */
    REWARDS_PAYER_KEYPAIR: z.string().min(1).optional(),
    SOLANA_RPC_URL: z.url().optional(),
    SOLANA_COMMITMENT: z.enum(['confirmed', 'finalized']).default('confirmed'),
    REWARDS_RUN_INTERVAL_SECONDS: env.int(60, 1),
    REWARDS_PAY_BUDGET_SECONDS: env.int(300, 1),
    REWARDS_RETRY_BASE_MS: env.int(500, 1),
    REWARDS_RETRY_MAX_MS: env.int(30_000, 1),
    REWARDS_POLL_MS: env.int(400, 1),
    /** close an epoch anyway this long after it became closable when scoring has not finished it (default: wait) */
    REWARDS_SCORES_MAX_WAIT_SECONDS: z.coerce.number().int().min(0).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((e) => ({
    databaseUrl: e.DATABASE_URL,
    host: e.REWARDS_HOST,
    port: e.REWARDS_PORT,
    calendar: {
      genesisMs: Date.parse(e.REWARDS_GENESIS),
      durationMs: e.REWARDS_EPOCH_SECONDS * 1000,
      graceMs: e.REWARDS_GRACE_SECONDS * 1000,
    },
    firstEpoch: e.REWARDS_FIRST_EPOCH,
    params: {
      algorithmVersion: REWARDS_ALGORITHM_VERSION,
      emission: {
        perEpoch: e.REWARDS_EMISSION_PER_EPOCH,
        startEpoch: e.REWARDS_EMISSION_START_EPOCH,
        halvingEpochs: e.REWARDS_HALVING_EPOCHS,
        decayPpm: e.REWARDS_DECAY_PPM,
      },
      split: e.REWARDS_SPLIT,
      minQuality: e.REWARDS_MIN_QUALITY,
      cellResolution: e.REWARDS_CELL_RESOLUTION,
      cellCapacity: e.REWARDS_CELL_CAPACITY,
      classMultipliers: e.REWARDS_CLASS_MULTIPLIERS,
    } satisfies RewardParams,
    walletsPerTransaction: e.REWARDS_WALLETS_PER_TX,
    chain: {
      deploymentFile: e.REWARDS_DEPLOYMENT_FILE,
      mintAuthorityKeypair: e.REWARDS_MINT_AUTHORITY_KEYPAIR,
      multisigSignerKeypairs: e.REWARDS_MULTISIG_SIGNER_KEYPAIRS?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      payerKeypair: e.REWARDS_PAYER_KEYPAIR,
      rpcUrl: e.SOLANA_RPC_URL,
      commitment: e.SOLANA_COMMITMENT,
    },
    runIntervalMs: e.REWARDS_RUN_INTERVAL_SECONDS * 1000,
    payBudgetMs: e.REWARDS_PAY_BUDGET_SECONDS * 1000,
    retryBaseMs: e.REWARDS_RETRY_BASE_MS,
    retryMaxMs: e.REWARDS_RETRY_MAX_MS,
    pollMs: e.REWARDS_POLL_MS,
    scoresMaxWaitMs:
      e.REWARDS_SCORES_MAX_WAIT_SECONDS === undefined ? undefined : e.REWARDS_SCORES_MAX_WAIT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  }));

export type RewardsConfig = z.infer<typeof rewardsConfigSchema>;
