import { formatTokenAmount } from '@groundtruth/programs';
import { RewardsError } from '../core/errors.js';
import { manifestFromTexts, proofsForDevice, type LeafProof, type RewardLeaf } from '../core/manifest.js';
import { paramsToJson } from '../core/params.js';
import type { Database } from '../db/database.js';
import type { ClosedEpoch, EpochsRepository } from '../db/epochs.repository.js';
import type { PayoutsRepository } from '../db/payouts.repository.js';

/** JSON views of closed epochs for the HTTP API (amounts as decimal base-unit strings). */
export class EpochsQueryService {
  constructor(
    private readonly db: Database,
    private readonly epochs: EpochsRepository,
    private readonly payouts: PayoutsRepository,
  ) {}

  private async closed(epoch: number): Promise<ClosedEpoch> {
    const found = await this.epochs.get(this.db, epoch);
    if (!found) {
      throw new RewardsError('EPOCH_NOT_FOUND', `epoch ${epoch} is not closed`, { epoch });
    }
    return found;
  }

  static header(e: ClosedEpoch) {
    return {
      epoch: e.epoch,
      startsAt: e.startsAt.toISOString(),
      endsAt: e.endsAt.toISOString(),
      closedAt: e.closedAt.toISOString(),
      root: e.root,
      leafCount: e.leafCount,
      algorithmVersion: e.algorithmVersion,
      params: paramsToJson(e.params),
      amounts: {
        emission: e.emission.toString(),
        rewarded: e.rewarded.toString(),
        held: e.held.toString(),
        released: e.released.toString(),
        credited: e.credited.toString(),
        payout: e.payoutTotal.toString(),
        payoutTokens: formatTokenAmount(e.payoutTotal),
      },
      wallets: e.wallets,
      transactions: e.parts,
      payoutState: e.payoutState,
      paidAt: e.paidAt?.toISOString() ?? null,
    };
  }

  async list(limit: number, before?: number) {
    return { epochs: (await this.epochs.list(this.db, limit, before)).map(EpochsQueryService.header) };
  }

  async epoch(epoch: number) {
    const e = await this.closed(epoch);
    const parts = await this.payouts.parts(this.db, epoch);
    const reasons = await this.epochs.reasonCounts(this.db, epoch);
    return {
      ...EpochsQueryService.header(e),
      /** devices per reason code (emission), and credit/release leaves per reason */
      reasons: reasons.devices,
      otherLeaves: reasons.other,
      payoutTransactions: parts.map((p) => ({
        part: p.part,
        state: p.state,
        signature: p.signature,
        wallets: p.payouts.length,
        sends: p.sends,
        errors: p.errors,
        lastError: p.lastError,
        priorSignatures: p.priorSignatures,
        slot: p.slot?.toString() ?? null,
      })),
    };
  }

  async manifest(
    epoch: number,
  ): Promise<{ header: ReturnType<typeof EpochsQueryService.header>; leaves: RewardLeaf[] }> {
    const e = await this.closed(epoch);
    const texts = await this.epochs.leafTexts(this.db, epoch);
    return { header: EpochsQueryService.header(e), leaves: texts.map((t) => JSON.parse(t) as RewardLeaf) };
  }

  async proof(
    epoch: number,
    device: string,
  ): Promise<{ epoch: number; root: string; leafCount: number; proofs: LeafProof[] }> {
    const e = await this.closed(epoch);
    const manifest = manifestFromTexts(epoch, await this.epochs.leafTexts(this.db, epoch));
    const proofs = proofsForDevice(manifest, device);
    if (proofs.length === 0) {
      throw new RewardsError('DEVICE_NOT_IN_EPOCH', `device ${device} has no leaf in epoch ${epoch}`, {
        epoch,
        device,
      });
    }
    return { epoch, root: e.root, leafCount: manifest.texts.length, proofs };
  }

  async ledger(epoch: number) {
    await this.closed(epoch);
    const rows = await this.payouts.ledger(this.db, epoch);
    return {
      epoch,
      payouts: rows.map((r) => ({
        wallet: r.wallet,
        amount: r.amount.toString(),
        part: r.part,
        state: r.state,
        signature: r.signature,
      })),
    };
  }
}
