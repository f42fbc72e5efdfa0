/**
 * Two closed reward epochs written straight into the rewards tables (services/rewards has no runnable engine
 * yet; switch this to its epoch close + payout runner when it has one). The rows follow the schema's rules:
 * leaves are RFC 8785 JSON hashed into the Merkle root, payouts aggregate the paid leaves per owner wallet,
 * the older epoch is paid and confirmed, the newer one has a payout transaction that keeps failing.
 */
import { canonicalize, leafHash, merkleRoot } from '../../protocol/src/index.js';
import type pg from 'pg';

export interface EpochDevice {
  readonly device_id: string;
  readonly kind: string;
  readonly model: string;
  readonly owner_wallet: string;
  readonly status: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

const HOUR = 3_600_000;
const EMISSION = 1_000_000_000n;
const QUALITIES = [0.94, 0.81, 0.42, 0.88, 0.67, 0.97, null];

interface Leaf {
  device_id: string;
  owner_wallet: string;
  reason: string;
  amount: bigint;
}

function leavesOf(devices: readonly EpochDevice[], epoch: number): { quality: (number | null)[]; leaves: Leaf[] } {
  const quality = devices.map((_, i) => {
    const q = QUALITIES[i % QUALITIES.length]!;
    return q === null ? null : Math.round((q - 0.02 * epoch) * 1000) / 1000;
  });
  const weight = (i: number): number => (devices[i]!.status === 'active' && (quality[i] ?? 0) >= 0.5 ? quality[i]! : 0);
  const total = devices.reduce((sum, _, i) => sum + weight(i), 0);
  const leaves = devices.map((d, i): Leaf => {
    const amount = total > 0 ? (EMISSION * BigInt(Math.round(weight(i) * 1e6))) / BigInt(Math.round(total * 1e6)) : 0n;
    const reason =
      quality[i] === null
        ? 'no_score'
        : d.status !== 'active'
          ? 'held_suspended'
          : weight(i) > 0
            ? 'rewarded'
            : 'below_threshold';
    const held = reason === 'held_suspended' ? 25_000_000n : 0n;
    return { device_id: d.device_id, owner_wallet: d.owner_wallet, reason, amount: amount + held };
  });
  return { quality, leaves };
}

export async function seedRewards(client: pg.ClientBase, devices: readonly EpochDevice[], now: number): Promise<void> {
  const hour = Math.floor(now / HOUR) * HOUR;
  await client.query('BEGIN');
  for (const epoch of [1, 2]) {
    const startsAt = new Date(hour - (4 - epoch) * HOUR);
    const endsAt = new Date(startsAt.getTime() + HOUR);
    const closedAt = new Date(endsAt.getTime() + 2 * 60_000);
    const { quality, leaves } = leavesOf(devices, epoch);
    const texts = leaves.map((leaf, idx) =>
      canonicalize({
        epoch,
        idx,
        device: leaf.device_id,
        owner: leaf.owner_wallet,
        reason: leaf.reason,
        amount: String(leaf.amount),
      }),
    );
    const root = merkleRoot(texts.map((t) => leafHash(Buffer.from(t, 'utf8')))).toString('hex');
    const paid = leaves.filter((l) => l.reason === 'rewarded');
    const held = leaves.filter((l) => l.reason === 'held_suspended');
    const sum = (ls: Leaf[]) => ls.reduce((s, l) => s + l.amount, 0n);
    const byWallet = new Map<string, bigint>();
    for (const leaf of paid) {
      byWallet.set(leaf.owner_wallet, (byWallet.get(leaf.owner_wallet) ?? 0n) + leaf.amount);
    }
    const confirmed = epoch === 1;
    await client.query(
      `INSERT INTO reward_epochs (epoch, starts_at, ends_at, closed_at, algorithm_version, params, emission, root, leaf_count,
         rewarded, held, released, credited, payout_total, wallets, parts, payout_state, paid_at)
       VALUES ($1, $2, $3, $4, 'rewards-v1', $5, $6, $7, $8, $9, $10, 0, 0, $11, $12, 1, $13, $14)`,
      [
        epoch,
        startsAt,
        endsAt,
        closedAt,
        JSON.stringify({ emission: String(EMISSION), threshold: 0.5 }),
        String(EMISSION),
        root,
        leaves.length,
        String(sum(paid)),
        String(sum(held)),
        String(sum(paid)),
        byWallet.size,
        confirmed ? 'paid' : 'pending',
        confirmed ? new Date(closedAt.getTime() + 60_000) : null,
      ],
    );
    for (const [i, d] of devices.entries()) {
      await client.query(
        `INSERT INTO reward_epoch_devices (epoch, device_id, kind, model, owner_wallet, status, lat, lon, quality, location_score,
           score_reasons, scoring_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scoring-v1')`,
        [
          epoch,
          d.device_id,
          d.kind,
          d.model,
          d.owner_wallet,
          d.status,
          d.lat,
          d.lon,
          quality[i],
          quality[i] === null ? null : 1,
          quality[i] === null ? null : JSON.stringify([{ check: 'availability', cost: 1 - quality[i]! }]),
        ],
      );
      await client.query(
        `INSERT INTO reward_leaves (epoch, idx, device_id, owner_wallet, source, reason, amount, leaf)
         VALUES ($1, $2, $3, $4, 'emission', $5, $6, $7)`,
        [epoch, i, d.device_id, d.owner_wallet, leaves[i]!.reason, String(leaves[i]!.amount), texts[i]],
      );
    }
    for (const leaf of held) {
      await client.query(
        `INSERT INTO reward_holds (epoch, device_id, source, amount, reason) VALUES ($1, $2, 'emission', $3, $4)`,
        [epoch, leaf.device_id, String(leaf.amount), leaf.reason],
      );
    }
    const signature = `${epoch}`.padEnd(88, confirmed ? 'C' : 'S');
    for (const [wallet, amount] of byWallet) {
      await client.query(
        `INSERT INTO reward_payouts (epoch, wallet, amount, part, state, signature) VALUES ($1, $2, $3, 1, $4, $5)`,
        [epoch, wallet, String(amount), confirmed ? 'confirmed' : 'signed', signature],
      );
    }
    await client.query(
      `INSERT INTO reward_payout_txs (epoch, part, parts, state, signature, blockhash, last_valid_block_height, signings, sends,
         errors, last_error, slot, confirmed_at) VALUES ($1, 1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        epoch,
        confirmed ? 'confirmed' : 'signed',
        signature,
        'B'.repeat(44),
        1_000 + epoch * 150,
        confirmed ? 1 : 2,
        confirmed ? 1 : 5,
        confirmed ? 0 : 4,
        confirmed ? null : 'block height exceeded',
        confirmed ? 4_242 : null,
        confirmed ? new Date(closedAt.getTime() + 40_000) : null,
      ],
    );
  }
  await client.query('COMMIT');
}
