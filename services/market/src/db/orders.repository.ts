import type pg from 'pg';
import { frozenQueryFromJson, queryToJson, type FrozenQuery } from '../core/dataset-query.js';
import { MarketError } from '../core/market-error.js';
import type { AcceptedPayment } from '../core/payment-check.js';
import type { SignedQuote } from '../core/quote.js';
import type { DeviceShare } from '../core/revenue-share.js';

export interface OrderRecord {
  readonly orderId: string;
  readonly query: FrozenQuery;
  readonly rows: number;
  readonly devices: number;
  readonly amount: bigint;
  readonly mint: string;
  readonly treasury: string;
  readonly memo: string;
  readonly expiresAt: number;
  readonly quote: SignedQuote;
  readonly status: 'quoted' | 'paid';
  readonly payment: { readonly txSignature: string; readonly amount: bigint; readonly paidAt: number } | null;
}

export interface RevenueShareRow {
  readonly orderId: string;
  readonly device: string;
  readonly ownerWallet: string | null;
  readonly rows: number;
  readonly amount: bigint;
  readonly createdAt: number;
}

/**
 * Hook run inside the payment's transaction, after the shares are recorded: hands them to the rewards
 * ledger so they are paid with the next epoch. Its failure rolls the payment back.
 */
export type RevenueShareSink = (
  client: pg.PoolClient,
  orderId: string,
  shares: readonly DeviceShare[],
) => Promise<void>;

/** The source of a sale's credits in the rewards ledger. */
export const saleCreditSource = (orderId: string): string => `sale:${orderId}`;

/**
 * The default sink: one `reward_credits` row per device (services/rewards), epoch NULL = claimed by the next
 * epoch to close and paid to the device's owner wallet with its payouts. Idempotent per (source, device).
 */
export const rewardCreditsSink: RevenueShareSink = async (client, orderId, shares) => {
  await client.query(
    `INSERT INTO reward_credits (device_id, amount, source)
     SELECT s.device, s.amount, $1 FROM unnest($2::text[], $3::numeric[]) AS s(device, amount)
     ON CONFLICT DO NOTHING`,
    [saleCreditSource(orderId), shares.map((s) => s.device), shares.map((s) => s.amount.toString())],
  );
};

type OrderRow = {
  order_id: string;
  query: unknown;
  rows: string;
  devices: number;
  amount: string;
  mint: string;
  treasury: string;
  memo: string;
  expires_at: Date;
  quote: SignedQuote;
  status: 'quoted' | 'paid';
  tx_signature: string | null;
  paid_amount: string | null;
  paid_at: Date | null;
};

export class OrdersRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly shareSink: RevenueShareSink = rewardCreditsSink,
  ) {}

  async insert(quote: SignedQuote, query: FrozenQuery): Promise<void> {
    await this.pool.query(
      `INSERT INTO market_orders (order_id, query, rows, devices, unit_price, multiplier_bps, amount, mint, treasury, memo,
         expires_at, quote)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11 / 1000.0), $12)`,
      [
        quote.orderId,
        JSON.stringify(queryToJson(query)),
        quote.rows,
        quote.devices,
        quote.unitPrice,
        quote.multiplierBps,
        quote.amount,
        quote.mint,
        quote.treasury,
        quote.memo,
        quote.expiresAt,
        JSON.stringify(quote),
      ],
    );
  }

  async get(orderId: string): Promise<OrderRecord | undefined> {
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT o.*, p.tx_signature, p.amount::text AS paid_amount, p.paid_at
         FROM market_orders o LEFT JOIN market_payments p ON p.order_id = o.order_id
        WHERE o.order_id = $1`,
      [orderId],
    );
    const row = rows[0];
    if (row === undefined) {
      return undefined;
    }
    return {
      orderId: row.order_id,
      query: frozenQueryFromJson(row.query),
      rows: Number(row.rows),
      devices: row.devices,
      amount: BigInt(row.amount),
      mint: row.mint,
      treasury: row.treasury,
      memo: row.memo,
      expiresAt: row.expires_at.getTime(),
      quote: row.quote,
      status: row.status,
      payment:
        row.tx_signature === null
          ? null
          : { txSignature: row.tx_signature, amount: BigInt(row.paid_amount!), paidAt: row.paid_at!.getTime() },
    };
  }

  /**
   * Records a verified payment and the devices' shares in one transaction. A transaction already recorded for
   * this order is a harmless retry (returns false); one recorded for another order is TX_REUSED; a second,
   * different payment of a paid order is ALREADY_PAID.
   */
  async recordPayment(orderId: string, payment: AcceptedPayment, shares: readonly DeviceShare[]): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO market_payments (tx_signature, order_id, amount, paid_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
         ON CONFLICT DO NOTHING RETURNING tx_signature`,
        [payment.signature, orderId, payment.amount.toString(), payment.paidAt],
      );
      if (inserted.rowCount === 0) {
        const { rows } = await client.query<{ tx_signature: string; order_id: string }>(
          'SELECT tx_signature, order_id FROM market_payments WHERE tx_signature = $1 OR order_id = $2',
          [payment.signature, orderId],
        );
        await client.query('ROLLBACK');
        if (rows.some((r) => r.tx_signature === payment.signature && r.order_id === orderId)) {
          return false;
        }
        if (rows.some((r) => r.tx_signature === payment.signature)) {
          throw new MarketError('TX_REUSED', 'this transaction already paid another order', {
            orderId,
            signature: payment.signature,
          });
        }
        throw new MarketError('ALREADY_PAID', 'the order is already paid by another transaction', { orderId });
      }
      await client.query(`UPDATE market_orders SET status = 'paid' WHERE order_id = $1`, [orderId]);
      if (shares.length > 0) {
        await client.query(
          `INSERT INTO market_revenue_shares (order_id, device_id, owner_wallet, rows, amount)
           SELECT $1, s.device, d.owner_wallet, s.rows, s.amount
             FROM unnest($2::text[], $3::int8[], $4::numeric[]) AS s(device, rows, amount)
             LEFT JOIN devices d ON d.device_id = s.device`,
          [orderId, shares.map((s) => s.device), shares.map((s) => s.rows), shares.map((s) => s.amount.toString())],
        );
        await this.shareSink(client, orderId, shares);
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The order a transaction already paid, if any. */
  async orderPaidBy(signature: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ order_id: string }>(
      'SELECT order_id FROM market_payments WHERE tx_signature = $1',
      [signature],
    );
    return rows[0]?.order_id;
  }

  /** Revenue shares earned by a device, newest first (what its owner sees). */
  async sharesOfDevice(device: string, limit = 100): Promise<RevenueShareRow[]> {
    return this.shares('s.device_id = $1', [device, limit]);
  }

  /** Revenue shares of every device an owner wallet held at the time of sale, newest first. */
  async sharesOfOwner(wallet: string, limit = 100): Promise<RevenueShareRow[]> {
    return this.shares('s.owner_wallet = $1', [wallet, limit]);
  }

  private async shares(where: string, params: unknown[]): Promise<RevenueShareRow[]> {
    const { rows } = await this.pool.query<{
      order_id: string;
      device_id: string;
      owner_wallet: string | null;
      rows: string;
      amount: string;
      created_at: Date;
    }>(
      `SELECT s.order_id, s.device_id, s.owner_wallet, s.rows, s.amount::text AS amount, s.created_at
         FROM market_revenue_shares s WHERE ${where} ORDER BY s.created_at DESC, s.order_id LIMIT $2`,
      params,
    );
    return rows.map((r) => ({
      orderId: r.order_id,
      device: r.device_id,
      ownerWallet: r.owner_wallet,
      rows: Number(r.rows),
      amount: BigInt(r.amount),
      createdAt: r.created_at.getTime(),
    }));
  }
}
