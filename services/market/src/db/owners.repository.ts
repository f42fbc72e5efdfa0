import type pg from 'pg';
import { MarketError } from '../core/market-error.js';

export interface DeviceOwnership {
  readonly device: string;
  readonly kind: 'weather' | 'vehicle' | 'energy';
  readonly ownerWallet: string | null;
}

/** Who owns a device (the registry's table) and the single use of owners' request nonces. */
export class OwnersRepository {
  constructor(private readonly pool: pg.Pool) {}

  async device(device: string): Promise<DeviceOwnership | undefined> {
    const { rows } = await this.pool.query<{
      device_id: string;
      kind: DeviceOwnership['kind'];
      owner_wallet: string | null;
    }>('SELECT device_id, kind, owner_wallet FROM devices WHERE device_id = $1', [device]);
    const row = rows[0];
    return row === undefined ? undefined : { device: row.device_id, kind: row.kind, ownerWallet: row.owner_wallet };
  }

  /**
   * Marks a nonce used; a second use is OWNER_NONCE_REUSED. Nonces of requests expired by `now` (the service
   * clock, not the database's) are pruned on the way: expiry alone refuses those requests.
   */
  async consumeNonce(device: string, nonce: string, expiresAt: number, now: number): Promise<void> {
    await this.pool.query('DELETE FROM market_owner_nonces WHERE expires_at < to_timestamp($1 / 1000.0)', [now]);
    const result = await this.pool.query(
      `INSERT INTO market_owner_nonces (device_id, nonce, expires_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
       ON CONFLICT DO NOTHING`,
      [device, nonce, expiresAt],
    );
    if (result.rowCount === 0) {
      throw new MarketError('OWNER_NONCE_REUSED', 'this signed request was already used', { device });
    }
  }
}
