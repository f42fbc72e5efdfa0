import { canonicalize, type VerifiedRegistration, type VerifiedTransfer } from '@groundtruth/protocol';
import { Injectable } from '@nestjs/common';
import type { DeviceStatus, StatusAction } from './device-rules.js';
import { EVENT_OF_ACTION } from './device-rules.js';
import type { DeviceEventRow, DeviceRow } from './device-view.js';
import { Database, type Queryable } from './registry.deps.js';
import { RegistryError } from './registry.error.js';

/** The channel every change to `devices` is announced on (payload: the device id), in the same transaction. */
export const DEVICES_CHANGED_CHANNEL = 'gt_devices_changed';

const DEVICE_COLUMNS = `device_id, kind, owner_wallet, model, maker, declared_lat, declared_lon, declared_alt, interval_s,
  status, status_reason, registered_at, updated_at, registration, device_sig, owner_sig, maker_sig`;

export interface StatusChange {
  readonly action: StatusAction;
  readonly operator: string;
  readonly reason: string;
  /** the pure decision: the next status, or why the action does not apply */
  readonly decide: (current: DeviceStatus) => DeviceStatus | RegistryError;
}

/** PostgreSQL access for devices, their nonces and their history. Each write is one transaction with its NOTIFY. */
@Injectable()
export class DevicesRepository {
  constructor(private readonly db: Database) {}

  async find(id: string): Promise<DeviceRow | undefined> {
    const { rows } = await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id = $1`, [id]);
    return rows[0];
  }

  async listByOwner(owner: string, limit: number, after?: string): Promise<DeviceRow[]> {
    const { rows } = await this.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE owner_wallet = $1 AND ($2::text IS NULL OR device_id > $2)
       ORDER BY device_id LIMIT $3`,
      [owner, after ?? null, limit],
    );
    return rows;
  }

  async events(id: string): Promise<DeviceEventRow[]> {
    const { rows } = await this.db.query<DeviceEventRow>(
      `SELECT id::text AS id, device_id, at, action, actor, reason, from_owner, to_owner, evidence
       FROM device_events WHERE device_id = $1 ORDER BY id`,
      [id],
    );
    return rows;
  }

  /** Stores a verified registration. Refuses a used nonce (NONCE_REUSED) before an existing device (DEVICE_EXISTS). */
  async insertRegistration(verified: VerifiedRegistration, evidence: object): Promise<DeviceRow> {
    const req = verified.request;
    return this.db.transaction(async (tx) => {
      await this.useNonce(tx, req.device, req.nonce, 'register', req.expires_at);
      const { rows } = await tx.query<DeviceRow>(
        `INSERT INTO devices (device_id, kind, owner_wallet, model, maker, declared_lat, declared_lon, declared_alt,
           interval_s, registration, device_sig, owner_sig, maker_sig)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (device_id) DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
        [
          req.device,
          req.kind,
          req.owner,
          req.model,
          req.maker ?? null,
          req.location?.lat ?? null,
          req.location?.lon ?? null,
          req.location?.alt ?? null,
          req.interval_s,
          canonicalize(req),
          verified.deviceSig,
          verified.ownerSig,
          verified.makerSig ?? null,
        ],
      );
      const row = rows[0];
      if (row === undefined) {
        throw new RegistryError('DEVICE_EXISTS', 'the device is already registered', { device: req.device });
      }
      await this.addEvent(tx, req.device, 'registered', req.owner, { to_owner: req.owner, evidence });
      await this.notify(tx, req.device);
      return row;
    });
  }

  /** Applies a verified transfer if `refusal` (evaluated on the locked row) finds nothing against it. */
  async transfer(
    verified: VerifiedTransfer,
    evidence: object,
    refusal: (current: { owner: string | null; status: DeviceStatus }) => RegistryError | undefined,
  ): Promise<DeviceRow> {
    const req = verified.request;
    return this.db.transaction(async (tx) => {
      const current = await this.lock(tx, req.device);
      // Nonce first, so a replay is named as such even after the ownership it asked for has moved on.
      await this.useNonce(tx, req.device, req.nonce, 'transfer', req.expires_at);
      const refused = refusal({ owner: current.owner_wallet, status: current.status });
      if (refused) {
        throw refused;
      }
      const { rows } = await tx.query<DeviceRow>(
        `UPDATE devices SET owner_wallet = $2, updated_at = now() WHERE device_id = $1 RETURNING ${DEVICE_COLUMNS}`,
        [req.device, req.to_owner],
      );
      await this.addEvent(tx, req.device, 'transferred', req.from_owner, {
        from_owner: req.from_owner,
        to_owner: req.to_owner,
        evidence,
      });
      await this.notify(tx, req.device);
      return rows[0]!;
    });
  }

  async changeStatus(id: string, change: StatusChange): Promise<DeviceRow> {
    return this.db.transaction(async (tx) => {
      const current = await this.lock(tx, id);
      const next = change.decide(current.status);
      if (next instanceof RegistryError) {
        throw next;
      }
      const { rows } = await tx.query<DeviceRow>(
        `UPDATE devices SET status = $2, status_reason = $3, updated_at = now() WHERE device_id = $1 RETURNING ${DEVICE_COLUMNS}`,
        [id, next, change.reason],
      );
      await this.addEvent(tx, id, EVENT_OF_ACTION[change.action], change.operator, { reason: change.reason });
      await this.notify(tx, id);
      return rows[0]!;
    });
  }

  /** Forgets nonces of requests that expired before `before`: the expiry check alone refuses their replay. */
  async pruneNonces(before: Date): Promise<number> {
    const result = await this.db.query('DELETE FROM registry_nonces WHERE expires_at < $1', [before]);
    return result.rowCount ?? 0;
  }

  private async lock(tx: Queryable, id: string): Promise<DeviceRow> {
    const { rows } = await tx.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id = $1 FOR UPDATE`,
      [id],
    );
    if (rows[0] === undefined) {
      throw new RegistryError('UNKNOWN_DEVICE', 'no device is registered with this id', { device: id });
    }
    return rows[0];
  }

  private async useNonce(
    tx: Queryable,
    device: string,
    nonce: string,
    purpose: string,
    expiresAt: number,
  ): Promise<void> {
    const { rowCount } = await tx.query(
      `INSERT INTO registry_nonces (device_id, nonce, purpose, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [device, nonce, purpose, new Date(expiresAt)],
    );
    if (rowCount !== 1) {
      throw new RegistryError('NONCE_REUSED', 'this signed request was already used (nonce seen before)', {
        device,
        nonce,
      });
    }
  }

  private async addEvent(
    tx: Queryable,
    device: string,
    action: DeviceEventRow['action'],
    actor: string,
    extra: { reason?: string; from_owner?: string; to_owner?: string; evidence?: object },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO device_events (device_id, action, actor, reason, from_owner, to_owner, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        device,
        action,
        actor,
        extra.reason ?? null,
        extra.from_owner ?? null,
        extra.to_owner ?? null,
        extra.evidence ?? null,
      ],
    );
  }

  private async notify(tx: Queryable, device: string): Promise<void> {
    await tx.query('SELECT pg_notify($1, $2)', [DEVICES_CHANGED_CHANNEL, device]);
  }
}
