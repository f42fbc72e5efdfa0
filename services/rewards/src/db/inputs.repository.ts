import { isHardwareKind } from '@groundtruth/protocol';
import type { Credit, DeviceRecord, DeviceStatus, Hold } from '../core/types.js';
import { toBigInt, type Queryable } from './database.js';

interface DeviceRow {
  device_id: string;
  kind: string;
  model: string;
  owner_wallet: string | null;
  status: string;
  declared_lat: number | null;
  declared_lon: number | null;
}

interface CreditRow {
  id: string;
  device_id: string | null;
  wallet: string | null;
  amount: string;
  source: string;
}

interface HoldRow {
  epoch: string;
  device_id: string;
  source: string;
  amount: string;
  reason: string;
}

const toCredit = (r: CreditRow): Credit => ({
  id: r.id,
  device: r.device_id,
  wallet: r.wallet,
  amount: toBigInt(r.amount),
  source: r.source,
});

const toHold = (r: HoldRow): Hold => ({
  epoch: Number(r.epoch),
  device: r.device_id,
  source: r.source,
  amount: toBigInt(r.amount),
  reason: r.reason,
});

/** What an epoch close reads besides scores: the registry, open credits and open holds. */
export class InputsRepository {
  /** Every registered device as it is now (the registry's `devices` table). */
  async devices(q: Queryable): Promise<DeviceRecord[]> {
    const { rows } = await q.query<DeviceRow>(
      `SELECT device_id, kind, model, owner_wallet, status, declared_lat, declared_lon FROM devices ORDER BY device_id`,
    );
    return rows
      .filter((r) => isHardwareKind(r.kind))
      .map((r) => ({
        device: r.device_id,
        kind: r.kind as DeviceRecord['kind'],
        model: r.model,
        owner: r.owner_wallet,
        status: r.status as DeviceStatus,
        lat: r.declared_lat,
        lon: r.declared_lon,
      }));
  }

  /**
   * Copies the market's per-device sale shares (market_revenue_shares, when that table exists) into
   * reward_credits as `sale:<order>` credits. Idempotent: a share already copied is skipped.
   */
  async importRevenueShares(q: Queryable): Promise<number> {
    const { rows } = await q.query<{ present: boolean }>(
      `SELECT to_regclass('market_revenue_shares') IS NOT NULL AS present`,
    );
    if (!rows[0]?.present) {
      return 0;
    }
    const result = await q.query(
      `INSERT INTO reward_credits (device_id, amount, source, created_at)
       SELECT s.device_id, s.amount, 'sale:' || s.order_id, s.created_at
       FROM market_revenue_shares s
       WHERE NOT EXISTS (
         SELECT 1 FROM reward_credits c WHERE c.source = 'sale:' || s.order_id AND c.device_id = s.device_id)
       ON CONFLICT DO NOTHING`,
    );
    return result.rowCount ?? 0;
  }

  /** Unclaimed credits due by `epoch` (target epoch NULL or ≤ epoch), locked for the closing transaction. */
  async openCredits(q: Queryable, epoch: number): Promise<Credit[]> {
    const { rows } = await q.query<CreditRow>(
      `SELECT id::text, device_id, wallet, amount::text, source FROM reward_credits
       WHERE claimed_at IS NULL AND (epoch IS NULL OR epoch <= $1) ORDER BY id FOR UPDATE`,
      [epoch],
    );
    return rows.map(toCredit);
  }

  async claimCredits(q: Queryable, epoch: number, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) {
      await q.query(`UPDATE reward_credits SET epoch = $1, claimed_at = now() WHERE id = ANY($2::bigint[])`, [
        epoch,
        ids,
      ]);
    }
  }

  /** Credits an epoch claimed (what its manifest pays or holds). */
  async creditsOf(q: Queryable, epoch: number): Promise<Credit[]> {
    const { rows } = await q.query<CreditRow>(
      `SELECT id::text, device_id, wallet, amount::text, source FROM reward_credits
       WHERE epoch = $1 AND claimed_at IS NOT NULL ORDER BY id`,
      [epoch],
    );
    return rows.map(toCredit);
  }

  /** Holds from earlier epochs not yet paid, locked for the closing transaction. */
  async openHolds(q: Queryable, epoch: number): Promise<Hold[]> {
    const { rows } = await q.query<HoldRow>(
      `SELECT epoch::text, device_id, source, amount::text, reason FROM reward_holds
       WHERE released_epoch IS NULL AND epoch < $1 ORDER BY epoch, device_id, source FOR UPDATE`,
      [epoch],
    );
    return rows.map(toHold);
  }

  /** The holds that were open when `epoch` closed (holds are released only by later closes, in order). */
  async holdsOpenAtClose(q: Queryable, epoch: number): Promise<Hold[]> {
    const { rows } = await q.query<HoldRow>(
      `SELECT epoch::text, device_id, source, amount::text, reason FROM reward_holds
       WHERE epoch < $1 AND (released_epoch IS NULL OR released_epoch >= $1) ORDER BY epoch, device_id, source`,
      [epoch],
    );
    return rows.map(toHold);
  }

  async insertHolds(q: Queryable, holds: readonly Hold[]): Promise<void> {
    if (holds.length === 0) {
      return;
    }
    await q.query(
      `INSERT INTO reward_holds (epoch, device_id, source, amount, reason)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::numeric[], $5::text[])`,
      [
        holds.map((h) => h.epoch),
        holds.map((h) => h.device),
        holds.map((h) => h.source),
        holds.map((h) => h.amount.toString()),
        holds.map((h) => h.reason),
      ],
    );
  }

  async releaseHolds(q: Queryable, epoch: number, holds: readonly Hold[]): Promise<void> {
    if (holds.length === 0) {
      return;
    }
    await q.query(
      `UPDATE reward_holds h SET released_epoch = $1
       FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(epoch, device_id, source)
       WHERE h.epoch = u.epoch AND h.device_id = u.device_id AND h.source = u.source AND h.released_epoch IS NULL`,
      [epoch, holds.map((h) => h.epoch), holds.map((h) => h.device), holds.map((h) => h.source)],
    );
  }
}
