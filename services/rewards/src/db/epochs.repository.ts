import type { HardwareKind } from '@groundtruth/protocol';
import type { EpochResult } from '../core/compute-epoch.js';
import type { EpochWindow } from '../core/epoch-calendar.js';
import { paramsFromJson, paramsToJson, type RewardParams } from '../core/params.js';
import type { DeviceRecord, DeviceStatus, EpochScore } from '../core/types.js';
import { toBigInt, type Queryable } from './database.js';

/** A closed epoch's header, as stored and served. */
export interface ClosedEpoch {
  readonly epoch: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly closedAt: Date;
  readonly algorithmVersion: string;
  readonly params: RewardParams;
  readonly emission: bigint;
  readonly root: string;
  readonly leafCount: number;
  readonly rewarded: bigint;
  readonly held: bigint;
  readonly released: bigint;
  readonly credited: bigint;
  readonly payoutTotal: bigint;
  readonly wallets: number;
  readonly parts: number;
  readonly payoutState: 'pending' | 'paid';
  readonly paidAt: Date | null;
}

/** The inputs snapshot of an epoch: registry rows (null for scored devices the registry does not know) and scores. */
export interface EpochInputsSnapshot {
  readonly devices: readonly DeviceRecord[];
  readonly scores: readonly EpochScore[];
}

interface EpochRow {
  epoch: string;
  starts_at: Date;
  ends_at: Date;
  closed_at: Date;
  algorithm_version: string;
  params: unknown;
  emission: string;
  root: string;
  leaf_count: number;
  rewarded: string;
  held: string;
  released: string;
  credited: string;
  payout_total: string;
  wallets: number;
  parts: number;
  payout_state: 'pending' | 'paid';
  paid_at: Date | null;
}

const UNREGISTERED = 'unregistered';

function toEpoch(r: EpochRow): ClosedEpoch {
  return {
    epoch: Number(r.epoch),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    closedAt: r.closed_at,
    algorithmVersion: r.algorithm_version,
    params: paramsFromJson(r.params),
    emission: toBigInt(r.emission),
    root: r.root,
    leafCount: r.leaf_count,
    rewarded: toBigInt(r.rewarded),
    held: toBigInt(r.held),
    released: toBigInt(r.released),
    credited: toBigInt(r.credited),
    payoutTotal: toBigInt(r.payout_total),
    wallets: r.wallets,
    parts: r.parts,
    payoutState: r.payout_state,
    paidAt: r.paid_at,
  };
}

export class EpochsRepository {
  async get(q: Queryable, epoch: number): Promise<ClosedEpoch | null> {
    const { rows } = await q.query<EpochRow>(`SELECT * FROM reward_epochs WHERE epoch = $1`, [epoch]);
    return rows[0] ? toEpoch(rows[0]) : null;
  }

  async list(q: Queryable, limit: number, before?: number): Promise<ClosedEpoch[]> {
    const { rows } = await q.query<EpochRow>(
      `SELECT * FROM reward_epochs WHERE ($2::bigint IS NULL OR epoch < $2) ORDER BY epoch DESC LIMIT $1`,
      [limit, before ?? null],
    );
    return rows.map(toEpoch);
  }

  async lastClosed(q: Queryable): Promise<number | null> {
    const { rows } = await q.query<{ epoch: string | null }>(`SELECT max(epoch)::text AS epoch FROM reward_epochs`);
    const epoch = rows[0]?.epoch ?? null;
    return epoch === null ? null : Number(epoch);
  }

  async unpaid(q: Queryable): Promise<number[]> {
    const { rows } = await q.query<{ epoch: string }>(
      `SELECT epoch::text FROM reward_epochs WHERE payout_state = 'pending' ORDER BY epoch`,
    );
    return rows.map((r) => Number(r.epoch));
  }

  async markPaid(q: Queryable, epoch: number): Promise<void> {
    await q.query(
      `UPDATE reward_epochs SET payout_state = 'paid', paid_at = now() WHERE epoch = $1 AND payout_state = 'pending'`,
      [epoch],
    );
  }

  /** Stores a computed epoch: header, inputs snapshot and leaves (in the caller's transaction). */
  async insert(
    q: Queryable,
    window: EpochWindow,
    params: RewardParams,
    result: EpochResult,
    inputs: EpochInputsSnapshot,
    parts: number,
  ): Promise<void> {
    const t = result.totals;
    await q.query(
      `INSERT INTO reward_epochs (epoch, starts_at, ends_at, algorithm_version, params, emission, root, leaf_count,
         rewarded, held, released, credited, payout_total, wallets, parts)
       VALUES ($1, to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        result.epoch,
        window.startsAt,
        window.endsAt,
        params.algorithmVersion,
        JSON.stringify(paramsToJson(params)),
        t.emission.toString(),
        result.manifest.root,
        result.manifest.texts.length,
        t.rewarded.toString(),
        t.held.toString(),
        t.released.toString(),
        t.credited.toString(),
        t.payout.toString(),
        result.payouts.length,
        parts,
      ],
    );
    const scores = new Map(inputs.scores.map((s) => [s.device, s]));
    const cells = new Map(result.outcomes.map((o) => [o.device, o.cell]));
    const rows = [
      ...inputs.devices.map((d) => ({ d, s: scores.get(d.device) ?? null })),
      ...inputs.scores.filter((s) => !inputs.devices.some((d) => d.device === s.device)).map((s) => ({ d: null, s })),
    ];
    await q.query(
      `INSERT INTO reward_epoch_devices (epoch, device_id, kind, model, owner_wallet, status, lat, lon, quality,
         location_score, score_reasons, scoring_version, cell)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[],
         $9::float8[], $10::float8[], $11::jsonb[], $12::text[], $13::text[])`,
      [
        result.epoch,
        rows.map((r) => r.d?.device ?? r.s!.device),
        rows.map((r) => r.d?.kind ?? r.s!.kind),
        rows.map((r) => r.d?.model ?? ''),
        rows.map((r) => r.d?.owner ?? null),
        rows.map((r) => r.d?.status ?? UNREGISTERED),
        rows.map((r) => r.d?.lat ?? null),
        rows.map((r) => r.d?.lon ?? null),
        rows.map((r) => r.s?.quality ?? null),
        rows.map((r) => r.s?.locationScore ?? null),
        rows.map((r) => (r.s ? JSON.stringify(r.s.reasons) : null)),
        rows.map((r) => r.s?.algorithmVersion ?? null),
        rows.map((r) => r.s?.cell ?? cells.get(r.d?.device ?? r.s!.device) ?? null),
      ],
    );
    const leaves = result.manifest.leaves;
    await q.query(
      `INSERT INTO reward_leaves (epoch, idx, device_id, owner_wallet, source, reason, amount, leaf)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[])`,
      [
        result.epoch,
        leaves.map((_, i) => i),
        leaves.map((l) => l.device),
        leaves.map((l) => l.owner),
        leaves.map((l) => l.source),
        leaves.map((l) => l.reason),
        leaves.map((l) => l.amount),
        result.manifest.texts,
      ],
    );
  }

  /** Leaf texts in tree order (exactly as hashed). */
  async leafTexts(q: Queryable, epoch: number): Promise<string[]> {
    const { rows } = await q.query<{ leaf: string }>(`SELECT leaf FROM reward_leaves WHERE epoch = $1 ORDER BY idx`, [
      epoch,
    ]);
    return rows.map((r) => r.leaf);
  }

  /** Devices per reason code of the epoch's emission leaves, and leaves per reason of everything else. */
  async reasonCounts(
    q: Queryable,
    epoch: number,
  ): Promise<{ devices: Record<string, number>; other: Record<string, number> }> {
    const { rows } = await q.query<{ emission: boolean; reason: string; n: string }>(
      `SELECT source = 'emission' AS emission, reason, count(*)::text AS n FROM reward_leaves WHERE epoch = $1
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [epoch],
    );
    const devices: Record<string, number> = {};
    const other: Record<string, number> = {};
    for (const r of rows) {
      (r.emission ? devices : other)[r.reason] = Number(r.n);
    }
    return { devices, other };
  }

  async inputs(q: Queryable, epoch: number): Promise<EpochInputsSnapshot> {
    const { rows } = await q.query<{
      device_id: string;
      kind: HardwareKind;
      model: string;
      owner_wallet: string | null;
      status: string;
      lat: number | null;
      lon: number | null;
      quality: number | null;
      location_score: number | null;
      score_reasons: string[] | null;
      scoring_version: string | null;
      cell: string | null;
    }>(`SELECT * FROM reward_epoch_devices WHERE epoch = $1 ORDER BY device_id`, [epoch]);
    const devices: DeviceRecord[] = [];
    const scores: EpochScore[] = [];
    for (const r of rows) {
      if (r.status !== UNREGISTERED) {
        devices.push({
          device: r.device_id,
          kind: r.kind,
          model: r.model,
          owner: r.owner_wallet,
          status: r.status as DeviceStatus,
          lat: r.lat,
          lon: r.lon,
        });
      }
      if (r.quality !== null) {
        scores.push({
          device: r.device_id,
          kind: r.kind,
          quality: r.quality,
          locationScore: r.location_score ?? 0,
          reasons: r.score_reasons ?? [],
          algorithmVersion: r.scoring_version ?? '',
          // the cell the epoch used (from the score, or derived from the declared location): the same result
          cell: r.cell,
        });
      }
    }
    return { devices, scores };
  }
}
