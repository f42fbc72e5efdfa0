import { formatTokenAmount, type SolanaGateway } from '@groundtruth/programs';
import type { Address } from '@solana/kit';
import type pg from 'pg';
import type { EpochScore } from '../core/types.js';
import { Database } from '../db/database.js';
import { EpochsRepository } from '../db/epochs.repository.js';
import { InputsRepository } from '../db/inputs.repository.js';
import { PayoutsRepository } from '../db/payouts.repository.js';
import { EpochsQueryService } from '../http/epochs-query.service.js';
import { PgEpochData } from '../verify/epoch-data.js';
import { verifyEpoch, type VerifyReport } from '../verify/verify-epoch.js';

/**
 * Library functions behind `groundtruth epoch list|show|verify`: plain reads of the rewards tables over a `pg`
 * pool (PostgreSQL or PGlite over its socket), no Nest, no HTTP. Amounts are decimal strings of base units.
 */
export type EpochSummary = ReturnType<typeof EpochsQueryService.header>;
export type EpochDetail = Awaited<ReturnType<EpochsQueryService['epoch']>>;

function queries(pool: pg.Pool): EpochsQueryService {
  return new EpochsQueryService(new Database(pool), new EpochsRepository(), new PayoutsRepository());
}

/** Closed epochs, newest first (`before`: only epochs below that number). */
export async function listEpochs(
  pool: pg.Pool,
  options: { limit?: number; before?: number } = {},
): Promise<EpochSummary[]> {
  return (await queries(pool).list(options.limit ?? 30, options.before)).epochs;
}

/** One closed epoch: header, amounts, devices per reason code and its payout transactions. Throws `EPOCH_NOT_FOUND`. */
export async function showEpoch(pool: pg.Pool, epoch: number): Promise<EpochDetail> {
  return queries(pool).epoch(epoch);
}

export interface VerifyStoredEpochOptions {
  /** the chain the payouts went to (LiteSvmGateway in embedded mode, RpcGateway otherwise) */
  readonly gateway: SolanaGateway;
  /** the reward mint (deployment.json `mint`) */
  readonly mint: Address;
  /** scores recomputed from the stored readings by the scoring service; compared with those the epoch used */
  readonly recomputeScores?: (epoch: number) => Promise<readonly EpochScore[]>;
}

/**
 * `epoch verify` over the database: recomputes the manifest from the inputs stored with the epoch, and checks it
 * against the stored leaves and Merkle root, the payout ledger, the Memo `gt:epoch:<n>:<root>:<part>/<parts>` of
 * every landed payout transaction and the amount each wallet was minted. `report.ok` false on any mismatch.
 */
export async function verifyStoredEpoch(
  pool: pg.Pool,
  epoch: number,
  options: VerifyStoredEpochOptions,
): Promise<VerifyReport> {
  const data = new PgEpochData(new Database(pool), {
    epochs: new EpochsRepository(),
    inputs: new InputsRepository(),
    payouts: new PayoutsRepository(),
  });
  return verifyEpoch(epoch, {
    data,
    gateway: options.gateway,
    mint: options.mint,
    ...(options.recomputeScores ? { recomputeScores: options.recomputeScores } : {}),
  });
}

const tokens = (baseUnits: string): string => formatTokenAmount(BigInt(baseUnits));

/** `epoch list` as a text table. */
export function formatEpochList(epochs: readonly EpochSummary[]): string {
  if (epochs.length === 0) {
    return 'no closed epochs yet';
  }
  const rows = epochs.map((e) => [
    String(e.epoch),
    e.startsAt,
    e.payoutState,
    String(e.wallets),
    tokens(e.amounts.payout),
    tokens(e.amounts.held),
    e.root.slice(0, 16) + '…',
  ]);
  const head = ['epoch', 'starts', 'payout', 'wallets', 'paid (tokens)', 'held', 'root'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** `epoch show` as text. */
export function formatEpochDetail(e: EpochDetail): string {
  const a = e.amounts;
  const lines = [
    `epoch ${e.epoch}  ${e.startsAt} → ${e.endsAt}  closed ${e.closedAt}`,
    `root ${e.root} (${e.leafCount} leaves, ${e.algorithmVersion})`,
    `emission ${tokens(a.emission)}  rewarded ${tokens(a.rewarded)}  held ${tokens(a.held)}  released ${tokens(a.released)}  credited ${tokens(a.credited)}`,
    `payout ${tokens(a.payout)} to ${e.wallets} wallets in ${e.transactions} transactions: ${e.payoutState}${e.paidAt ? ` at ${e.paidAt}` : ''}`,
    `devices by reason: ${
      Object.entries(e.reasons)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ') || 'none'
    }`,
  ];
  if (Object.keys(e.otherLeaves).length > 0) {
    lines.push(
      `credits and releases: ${Object.entries(e.otherLeaves)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ')}`,
    );
  }
  for (const t of e.payoutTransactions) {
    lines.push(
      `  part ${t.part}/${e.transactions} ${t.state.padEnd(9)} ${t.wallets} wallets  ${t.signature ?? '(not signed)'}` +
        (t.errors > 0 ? `  errors ${t.errors}: ${t.lastError ?? ''}` : ''),
    );
  }
  return lines.join('\n');
}
