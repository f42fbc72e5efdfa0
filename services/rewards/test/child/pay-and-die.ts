/**
 * A rewards process that pays one epoch and kills itself with SIGKILL at a dangerous moment: `after_sign` (the new
 * signatures are committed to the ledger, nothing sent yet) or `after_send` (the transactions are on the chain, the
 * ledger has not heard about it). Configured exactly like `main.ts`, from the environment (SOLANA_RPC_URL, key
 * files, DATABASE_URL), plus GT_TEST_EPOCH and GT_TEST_DIE.
 */
import { parseConfig, silentLogger } from '@groundtruth/service-kit';
import { createRewardsApp } from '../../src/rewards.app.js';
import { rewardsConfigSchema } from '../../src/rewards.config.js';

const die = (): Promise<never> => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => {});
};
const config = parseConfig(rewardsConfigSchema, process.env);
const epoch = Number(process.env.GT_TEST_EPOCH);
const at = process.env.GT_TEST_DIE;
const app = await createRewardsApp(config, {
  logger: silentLogger,
  hooks: at === 'after_sign' ? { afterSign: die } : { afterSend: die },
});
console.log(JSON.stringify({ event: 'child_paying', epoch }));
await app.payouts.payEpoch(epoch);
console.log(JSON.stringify({ event: 'child_paid_without_dying', epoch }));
await app.close();
