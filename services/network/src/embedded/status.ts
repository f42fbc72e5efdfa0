import { formatTokenAmount } from '@groundtruth/programs';
import type pg from 'pg';

/** What the live status line shows, read from the database every few seconds. */
export interface NetworkStatus {
  readonly at: number;
  readonly devicesRegistered: number;
  /** devices with a reading received in the last two minutes */
  readonly devicesOnline: number;
  readonly readingsStored: number;
  /** stored readings per second since the previous sample */
  readonly readingsPerSecond: number;
  readonly rejectsByReason: Readonly<Record<string, number>>;
  readonly lastEpoch: { readonly epoch: number; readonly wallets: number; readonly state: string } | undefined;
  /** base units minted to owners by confirmed payouts */
  readonly tokensMinted: bigint;
}

/** Reads {@link NetworkStatus}; keeps the previous sample to turn counts into rates. */
export class StatusReader {
  private previous: { at: number; stored: number } | undefined;

  constructor(
    private readonly db: Pick<pg.Pool, 'query'>,
    private readonly now: () => number = Date.now,
  ) {}

  async read(): Promise<NetworkStatus> {
    const at = this.now();
    const { rows } = await this.db.query<{
      registered: string;
      online: string;
      stored: string;
      rejects: Record<string, string> | null;
      epoch: string | null;
      epoch_wallets: string | null;
      epoch_state: string | null;
      minted: string;
    }>(
      `SELECT
         (SELECT count(*) FROM devices)::text AS registered,
         (SELECT count(*) FROM device_state WHERE last_received_at > now() - interval '2 minutes')::text AS online,
         (SELECT coalesce(sum(readings), 0) FROM device_state)::text AS stored,
         (SELECT jsonb_object_agg(reason, n) FROM (SELECT reason, count(*)::text AS n FROM quarantine GROUP BY reason) r)
           AS rejects,
         e.epoch::text AS epoch, e.wallets::text AS epoch_wallets, e.payout_state AS epoch_state,
         (SELECT coalesce(sum(amount), 0) FROM reward_payouts WHERE state = 'confirmed')::text AS minted
       FROM (SELECT 1) one
       LEFT JOIN (SELECT * FROM reward_epochs ORDER BY epoch DESC LIMIT 1) e ON true`,
    );
    const row = rows[0]!;
    const stored = Number(row.stored);
    const rate =
      this.previous === undefined || at <= this.previous.at
        ? 0
        : ((stored - this.previous.stored) * 1000) / (at - this.previous.at);
    this.previous = { at, stored };
    return {
      at,
      devicesRegistered: Number(row.registered),
      devicesOnline: Number(row.online),
      readingsStored: stored,
      readingsPerSecond: Math.max(0, rate),
      rejectsByReason: Object.fromEntries(Object.entries(row.rejects ?? {}).map(([k, v]) => [k, Number(v)])),
      lastEpoch:
        row.epoch === null
          ? undefined
          : { epoch: Number(row.epoch), wallets: Number(row.epoch_wallets), state: row.epoch_state ?? '' },
      tokensMinted: BigInt(row.minted),
    };
  }
}

/** One human line: `devices 12/12 online · 1.2 readings/s · 3,456 stored · rejects BAD_SIGNATURE 4 · ...`. */
export function formatStatus(status: NetworkStatus): string {
  const rejects = Object.entries(status.rejectsByReason)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const epoch =
    status.lastEpoch === undefined
      ? 'no epoch closed yet'
      : `epoch ${status.lastEpoch.epoch} ${status.lastEpoch.state} (${status.lastEpoch.wallets} wallets)`;
  return [
    `devices ${status.devicesOnline}/${status.devicesRegistered} online`,
    `${status.readingsPerSecond.toFixed(1)} readings/s`,
    `${status.readingsStored.toLocaleString('en-US')} stored`,
    `rejects ${rejects === '' ? 'none' : rejects}`,
    epoch,
    `${formatTokenAmount(status.tokensMinted)} GRND minted`,
  ].join(' · ');
}
