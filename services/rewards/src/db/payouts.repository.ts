import type { PayoutPart } from '../core/payout-plan.js';
import type { WalletPayout } from '../core/types.js';
import { toBigInt, type Queryable } from './database.js';

export type PartState = 'pending' | 'signed' | 'confirmed';

/** One payout transaction of an epoch and the wallets it pays. */
export interface PayoutTxRow {
  readonly epoch: number;
  readonly part: number;
  readonly parts: number;
  readonly state: PartState;
  readonly signature: string | null;
  readonly blockhash: string | null;
  readonly lastValidBlockHeight: bigint | null;
  readonly wire: string | null;
  readonly signings: number;
  readonly sends: number;
  readonly errors: number;
  readonly priorSignatures: readonly string[];
  readonly lastError: string | null;
  readonly slot: bigint | null;
  readonly payouts: readonly WalletPayout[];
}

/** A ledger row: one wallet's payout in one epoch. */
export interface LedgerRow {
  readonly epoch: number;
  readonly wallet: string;
  readonly amount: bigint;
  readonly part: number;
  readonly state: PartState;
  readonly signature: string | null;
}

export interface SignedPart {
  readonly part: number;
  readonly signature: string;
  readonly blockhash: string;
  readonly lastValidBlockHeight: bigint;
  readonly wire: string;
}

interface TxRow {
  epoch: string;
  part: number;
  parts: number;
  state: PartState;
  signature: string | null;
  blockhash: string | null;
  last_valid_block_height: string | null;
  wire: string | null;
  signings: number;
  sends: number;
  errors: number;
  prior_signatures: string[];
  last_error: string | null;
  slot: string | null;
  wallets: string[] | null;
  amounts: string[] | null;
}

const SELECT_PARTS = `
  SELECT t.epoch::text, t.part, t.parts, t.state, t.signature, t.blockhash, t.last_valid_block_height::text, t.wire,
         t.signings, t.sends, t.errors, t.prior_signatures, t.last_error, t.slot::text,
         array_agg(p.wallet ORDER BY p.wallet) FILTER (WHERE p.wallet IS NOT NULL) AS wallets,
         array_agg(p.amount::text ORDER BY p.wallet) FILTER (WHERE p.wallet IS NOT NULL) AS amounts
  FROM reward_payout_txs t
  LEFT JOIN reward_payouts p ON p.epoch = t.epoch AND p.part = t.part`;

function toPart(r: TxRow): PayoutTxRow {
  const wallets = r.wallets ?? [];
  return {
    epoch: Number(r.epoch),
    part: r.part,
    parts: r.parts,
    state: r.state,
    signature: r.signature,
    blockhash: r.blockhash,
    lastValidBlockHeight: r.last_valid_block_height === null ? null : BigInt(r.last_valid_block_height),
    wire: r.wire,
    signings: r.signings,
    sends: r.sends,
    errors: r.errors,
    priorSignatures: r.prior_signatures,
    lastError: r.last_error,
    slot: r.slot === null ? null : BigInt(r.slot),
    payouts: wallets.map((wallet, i) => ({ wallet, amount: toBigInt(r.amounts![i]!) })),
  };
}

/** The exactly-once payout ledger: reward_payouts (per wallet) and reward_payout_txs (per transaction). */
export class PayoutsRepository {
  /** Creates the ledger of a just-closed epoch (in its closing transaction). */
  async insertPlan(q: Queryable, epoch: number, parts: readonly PayoutPart[]): Promise<void> {
    await q.query(
      `INSERT INTO reward_payout_txs (epoch, part, parts) SELECT $1, u.part, u.parts FROM unnest($2::int[], $3::int[]) AS u(part, parts)`,
      [epoch, parts.map((p) => p.part), parts.map((p) => p.parts)],
    );
    const rows = parts.flatMap((p) => p.payouts.map((w) => ({ ...w, part: p.part })));
    if (rows.length > 0) {
      await q.query(
        `INSERT INTO reward_payouts (epoch, wallet, amount, part) SELECT $1, * FROM unnest($2::text[], $3::numeric[], $4::int[])`,
        [epoch, rows.map((r) => r.wallet), rows.map((r) => r.amount.toString()), rows.map((r) => r.part)],
      );
    }
  }

  async parts(q: Queryable, epoch: number, onlyUnconfirmed = false): Promise<PayoutTxRow[]> {
    const { rows } = await q.query<TxRow>(
      `${SELECT_PARTS} WHERE t.epoch = $1 ${onlyUnconfirmed ? `AND t.state <> 'confirmed'` : ''}
       GROUP BY t.epoch, t.part ORDER BY t.part`,
      [epoch],
    );
    return rows.map(toPart);
  }

  async ledger(q: Queryable, epoch: number): Promise<LedgerRow[]> {
    const { rows } = await q.query<{
      wallet: string;
      amount: string;
      part: number;
      state: PartState;
      signature: string | null;
    }>(`SELECT wallet, amount::text, part, state, signature FROM reward_payouts WHERE epoch = $1 ORDER BY wallet`, [
      epoch,
    ]);
    return rows.map((r) => ({
      epoch,
      wallet: r.wallet,
      amount: toBigInt(r.amount),
      part: r.part,
      state: r.state,
      signature: r.signature,
    }));
  }

  /**
   * Records new signatures BEFORE their transactions are sent (the exactly-once rule): the previous signature
   * of a part moves to prior_signatures, the ledger rows point at the new one.
   */
  async recordSigned(q: Queryable, epoch: number, signed: readonly SignedPart[]): Promise<void> {
    if (signed.length === 0) {
      return;
    }
    await q.query(
      `UPDATE reward_payout_txs t SET state = 'signed', signature = u.signature, blockhash = u.blockhash,
         last_valid_block_height = u.lvbh, wire = u.wire, signings = t.signings + 1, updated_at = now(),
         prior_signatures = CASE WHEN t.signature IS NULL THEN t.prior_signatures ELSE array_append(t.prior_signatures, t.signature) END
       FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS u(part, signature, blockhash, lvbh, wire)
       WHERE t.epoch = $1 AND t.part = u.part AND t.state <> 'confirmed'`,
      [
        epoch,
        signed.map((s) => s.part),
        signed.map((s) => s.signature),
        signed.map((s) => s.blockhash),
        signed.map((s) => s.lastValidBlockHeight.toString()),
        signed.map((s) => s.wire),
      ],
    );
    await q.query(
      `UPDATE reward_payouts p SET state = 'signed', signature = u.signature, updated_at = now()
       FROM unnest($2::int[], $3::text[]) AS u(part, signature) WHERE p.epoch = $1 AND p.part = u.part`,
      [epoch, signed.map((s) => s.part), signed.map((s) => s.signature)],
    );
  }

  async markConfirmed(
    q: Queryable,
    epoch: number,
    confirmed: readonly { part: number; slot: bigint }[],
  ): Promise<void> {
    if (confirmed.length === 0) {
      return;
    }
    const parts = confirmed.map((c) => c.part);
    await q.query(
      `UPDATE reward_payout_txs t SET state = 'confirmed', slot = u.slot, confirmed_at = now(), updated_at = now()
       FROM unnest($2::int[], $3::bigint[]) AS u(part, slot) WHERE t.epoch = $1 AND t.part = u.part`,
      [epoch, parts, confirmed.map((c) => c.slot.toString())],
    );
    await q.query(
      `UPDATE reward_payouts SET state = 'confirmed', updated_at = now() WHERE epoch = $1 AND part = ANY($2::int[])`,
      [epoch, parts],
    );
  }

  /** Counts sends and send errors (with the last error's text) per part. */
  async recordSends(
    q: Queryable,
    epoch: number,
    sends: readonly { part: number; error: string | null }[],
  ): Promise<void> {
    if (sends.length === 0) {
      return;
    }
    await q.query(
      `UPDATE reward_payout_txs t SET sends = t.sends + 1, errors = t.errors + (u.error IS NOT NULL)::int,
         last_error = coalesce(u.error, t.last_error), updated_at = now()
       FROM unnest($2::int[], $3::text[]) AS u(part, error) WHERE t.epoch = $1 AND t.part = u.part`,
      [epoch, sends.map((s) => s.part), sends.map((s) => s.error)],
    );
  }

  /** Ledger rows per state, for the `gt_rewards_payouts` gauge. */
  async stateCounts(q: Queryable): Promise<Record<PartState, number>> {
    const { rows } = await q.query<{ state: PartState; n: string }>(
      `SELECT state, count(*)::text AS n FROM reward_payouts GROUP BY state`,
    );
    const counts: Record<PartState, number> = { pending: 0, signed: 0, confirmed: 0 };
    for (const r of rows) {
      counts[r.state] = Number(r.n);
    }
    return counts;
  }
}
