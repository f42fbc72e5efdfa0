import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RewardsError } from '../core/errors.js';
import { paramsFromJson, paramsToJson, type RewardParams } from '../core/params.js';
import type { Credit, DeviceRecord, EpochScore, Hold } from '../core/types.js';
import type { Database } from '../db/database.js';
import type { EpochsRepository } from '../db/epochs.repository.js';
import type { InputsRepository } from '../db/inputs.repository.js';
import type { LedgerRow, PayoutsRepository } from '../db/payouts.repository.js';

/** Everything `epoch verify` needs about one epoch, from the database or from an export. */
export interface EpochRecord {
  readonly epoch: number;
  readonly root: string;
  readonly params: RewardParams;
  readonly payoutState: 'pending' | 'paid';
  readonly devices: readonly DeviceRecord[];
  readonly scores: readonly EpochScore[];
  readonly credits: readonly Credit[];
  readonly openHolds: readonly Hold[];
  /** leaf texts in tree order */
  readonly leaves: readonly string[];
  readonly ledger: readonly LedgerRow[];
  readonly transactions: readonly {
    readonly part: number;
    readonly parts: number;
    readonly state: string;
    readonly signature: string | null;
    readonly priorSignatures: readonly string[];
  }[];
}

export interface EpochDataSource {
  load(epoch: number): Promise<EpochRecord>;
}

/** Reads an epoch from the rewards tables. */
export class PgEpochData implements EpochDataSource {
  constructor(
    private readonly db: Database,
    private readonly repos: { epochs: EpochsRepository; inputs: InputsRepository; payouts: PayoutsRepository },
  ) {}

  async load(epoch: number): Promise<EpochRecord> {
    const { db, repos } = this;
    const header = await repos.epochs.get(db, epoch);
    if (!header) {
      throw new RewardsError('EPOCH_NOT_FOUND', `epoch ${epoch} is not closed`, { epoch });
    }
    const inputs = await repos.epochs.inputs(db, epoch);
    const parts = await repos.payouts.parts(db, epoch);
    return {
      epoch,
      root: header.root,
      params: header.params,
      payoutState: header.payoutState,
      devices: inputs.devices,
      scores: inputs.scores,
      credits: await repos.inputs.creditsOf(db, epoch),
      openHolds: await repos.inputs.holdsOpenAtClose(db, epoch),
      leaves: await repos.epochs.leafTexts(db, epoch),
      ledger: await repos.payouts.ledger(db, epoch),
      transactions: parts.map((p) => ({
        part: p.part,
        parts: p.parts,
        state: p.state,
        signature: p.signature,
        priorSignatures: p.priorSignatures,
      })),
    };
  }
}

const replacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** Writes `epoch-<n>.json` under `dir`: the inputs, manifest leaves, ledger and transaction signatures. */
export async function exportEpoch(record: EpochRecord, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `epoch-${record.epoch}.json`);
  const body = { v: 1, ...record, params: paramsToJson(record.params) };
  await writeFile(`${file}.tmp`, JSON.stringify(body, replacer, 1));
  await rename(`${file}.tmp`, file);
  return file;
}

/** Reads epochs exported by {@link exportEpoch}; amounts come back as bigint. */
export class DirectoryEpochData implements EpochDataSource {
  constructor(private readonly dir: string) {}

  async load(epoch: number): Promise<EpochRecord> {
    const file = path.join(this.dir, `epoch-${epoch}.json`);
    let raw: EpochRecord & { v: number; params: unknown };
    try {
      raw = JSON.parse(await readFile(file, 'utf8')) as typeof raw;
    } catch (error) {
      throw new RewardsError('BAD_EXPORT', `${file}: ${(error as Error).message}`);
    }
    if (raw.v !== 1 || raw.epoch !== epoch || !Array.isArray(raw.leaves) || !Array.isArray(raw.devices)) {
      throw new RewardsError('BAD_EXPORT', `${file} is not a version 1 export of epoch ${epoch}`);
    }
    return {
      ...raw,
      params: paramsFromJson(raw.params),
      credits: raw.credits.map((c) => ({ ...c, amount: BigInt(c.amount) })),
      openHolds: raw.openHolds.map((h) => ({ ...h, amount: BigInt(h.amount) })),
      ledger: raw.ledger.map((l) => ({ ...l, amount: BigInt(l.amount) })),
    };
  }
}
