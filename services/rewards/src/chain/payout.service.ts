import {
  isGatewayError,
  meetsCommitment,
  payoutInstructions,
  signTransaction,
  type Commitment,
  type MintAuthority,
  type SignatureStatus,
  type SolanaGateway,
} from '@groundtruth/programs';
import type { Logger } from '@groundtruth/service-kit';
import type { Address, Base64EncodedWireTransaction, Blockhash, Signature, TransactionSigner } from '@solana/kit';
import { RewardsError } from '../core/errors.js';
import { backoffMs, decidePayoutAction } from '../core/payout-decision.js';
import type { Database } from '../db/database.js';
import type { EpochsRepository } from '../db/epochs.repository.js';
import type { PayoutsRepository, PayoutTxRow, SignedPart } from '../db/payouts.repository.js';
import type { RewardsMetrics } from '../rewards.metrics.js';

/** The chain side of payouts: where, which token, who signs. */
export interface PayoutChain {
  readonly gateway: SolanaGateway;
  readonly mint: Address;
  readonly authority: MintAuthority;
  /** pays fees and the rent of new token accounts */
  readonly payer: TransactionSigner;
}

export interface PayoutOptions {
  /** a payout counts once its transaction reaches this commitment (default `confirmed`) */
  readonly commitment: Commitment;
  /** between status polls while nothing moves */
  readonly pollMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** transactions in flight at once */
  readonly window: number;
}

/** Test seams that stop the process at the two dangerous moments (production leaves them unset). */
export interface PayoutHooks {
  /** after new signatures are committed to the ledger, before any is sent */
  afterSign?(epoch: number, parts: readonly number[]): void | Promise<void>;
  /** after transactions are sent, before the ledger learns anything about it */
  afterSend?(epoch: number, parts: readonly number[]): void | Promise<void>;
}

export interface PayoutServiceDeps {
  readonly db: Database;
  readonly epochs: EpochsRepository;
  readonly payouts: PayoutsRepository;
  readonly chain: PayoutChain;
  readonly options: PayoutOptions;
  readonly metrics: RewardsMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly hooks?: PayoutHooks;
  /**
   * Makes the chain's state durable before the ledger records transactions as confirmed. The embedded mode saves
   * its LiteSVM snapshot here, so the ledger never says "paid" for a mint the saved chain does not have.
   */
  readonly checkpoint?: () => Promise<void>;
}

export interface PayResult {
  readonly epoch: number;
  readonly status: 'paid' | 'incomplete';
  readonly confirmedParts: number;
  readonly remainingParts: number;
}

type LivePart = { -readonly [K in keyof PayoutTxRow]: PayoutTxRow[K] };
/** why a transaction is signed: first time, after its predecessor landed and failed, or expired unseen */
type SignReason = 'signed' | 'resigned_failed' | 'resigned_expired';

/**
 * Pays a closed epoch exactly once. Each transaction's signature, blockhash lifetime and bytes are committed
 * before it is sent; on every pass the chain is asked about the recorded signatures and {@link decidePayoutAction}
 * says what is safe: confirm, rebroadcast the same bytes, wait, or — only once the old transaction can no longer
 * mint — sign a new one. Send errors are retried with exponential backoff and counted in metrics.
 */
export class PayoutService {
  private readonly nextAttempt = new Map<string, number>();

  constructor(private readonly deps: PayoutServiceDeps) {}

  async payEpoch(epoch: number, budgetMs = Number.POSITIVE_INFINITY): Promise<PayResult> {
    const { db, epochs, payouts, now, sleep, options } = this.deps;
    const header = await epochs.get(db, epoch);
    if (!header) {
      throw new RewardsError('EPOCH_NOT_FOUND', `epoch ${epoch} is not closed`, { epoch });
    }
    const pending = (await payouts.parts(db, epoch, true)).map((p) => ({ ...p }) as LivePart);
    const deadline = now() + budgetMs;
    const started = performance.now();
    let confirmed = 0;
    for (let i = 0; i < pending.length; i += options.window) {
      let batch = pending.slice(i, i + options.window);
      while (batch.length > 0) {
        if (now() > deadline) {
          const remaining = pending.filter((p) => p.state !== 'confirmed').length;
          this.deps.logger.warn('rewards_payout_incomplete', { epoch, remaining });
          return { epoch, status: 'incomplete', confirmedParts: confirmed, remainingParts: remaining };
        }
        const step = await this.step(epoch, header.root, batch);
        confirmed += step.confirmed;
        batch = batch.filter((p) => p.state !== 'confirmed');
        if (!step.progressed && batch.length > 0) {
          await sleep(options.pollMs);
        }
      }
    }
    await epochs.markPaid(db, epoch);
    this.deps.metrics.payoutSeconds.observe((performance.now() - started) / 1000);
    this.deps.logger.info('rewards_epoch_paid', {
      epoch,
      parts: header.parts,
      wallets: header.wallets,
      total: header.payoutTotal,
    });
    return { epoch, status: 'paid', confirmedParts: confirmed, remainingParts: 0 };
  }

  private due(epoch: number, part: number): boolean {
    return (this.nextAttempt.get(`${epoch}/${part}`) ?? 0) <= this.deps.now();
  }

  private gatewayFailed(method: string, error: unknown): void {
    if (!isGatewayError(error)) {
      throw error;
    }
    this.deps.metrics.rpcErrors.inc({ code: error.code, method });
    this.deps.logger.warn('rewards_gateway_error', { method, code: error.code, error });
  }

  /** One pass over a window of parts; `progressed` = something was confirmed or sent successfully. */
  private async step(
    epoch: number,
    root: string,
    batch: LivePart[],
  ): Promise<{ progressed: boolean; confirmed: number }> {
    const { gateway } = this.deps.chain;
    const { db, payouts, metrics, options } = this.deps;
    let height: bigint;
    let statuses: (SignatureStatus | null)[];
    const signedParts = batch.filter((p) => p.signature !== null);
    try {
      height = await gateway.blockHeight();
      statuses = [];
      for (let i = 0; i < signedParts.length; i += 256) {
        const chunk = signedParts.slice(i, i + 256).map((p) => p.signature as Signature);
        statuses.push(...(await gateway.signatureStatuses(chunk)));
      }
    } catch (error) {
      this.gatewayFailed('signatureStatuses', error);
      return { progressed: false, confirmed: 0 };
    }
    const statusOf = new Map(signedParts.map((p, i) => [p.part, statuses[i] ?? null]));
    const confirms: { part: number; slot: bigint }[] = [];
    const toSign: { p: LivePart; why: SignReason }[] = [];
    const toSend: LivePart[] = [];
    for (const p of batch) {
      const status = statusOf.get(p.part) ?? null;
      const view = {
        status: status && { err: status.err, final: meetsCommitment(status, options.commitment) },
        blockHeight: height,
      };
      switch (decidePayoutAction(p, view)) {
        case 'confirm':
          confirms.push({ part: p.part, slot: status!.slot });
          break;
        case 'sign':
          toSign.push({
            p,
            why: p.signature === null ? 'signed' : status?.err ? 'resigned_failed' : 'resigned_expired',
          });
          break;
        case 'rebroadcast':
          if (this.due(epoch, p.part)) {
            toSend.push(p);
          }
          break;
        case 'wait':
        case 'done':
          break;
      }
    }
    if (confirms.length > 0) {
      await this.deps.checkpoint?.();
      await db.transaction((tx) => payouts.markConfirmed(tx, epoch, confirms));
      for (const c of confirms) {
        const p = batch.find((x) => x.part === c.part)!;
        p.state = 'confirmed';
        p.slot = c.slot;
      }
      metrics.payoutTxs.inc({ outcome: 'confirmed' }, confirms.length);
    }
    if (toSign.length > 0) {
      const fresh = await this.sign(epoch, root, toSign);
      toSend.push(...fresh);
    }
    if (toSend.length === 0) {
      return { progressed: confirms.length > 0, confirmed: confirms.length };
    }
    const results: { part: number; error: string | null }[] = [];
    for (const p of toSend) {
      try {
        await gateway.send({
          signature: p.signature as Signature,
          wire: p.wire as Base64EncodedWireTransaction,
          blockhash: p.blockhash as Blockhash,
          lastValidBlockHeight: p.lastValidBlockHeight!,
          size: 0,
        });
        this.nextAttempt.delete(`${epoch}/${p.part}`);
        results.push({ part: p.part, error: null });
      } catch (error) {
        this.gatewayFailed('sendTransaction', error);
        p.errors += 1;
        this.nextAttempt.set(
          `${epoch}/${p.part}`,
          this.deps.now() + backoffMs(p.errors, options.retryBaseMs, options.retryMaxMs),
        );
        results.push({ part: p.part, error: (error as Error).message.slice(0, 500) });
      }
    }
    await this.deps.hooks?.afterSend?.(
      epoch,
      toSend.map((p) => p.part),
    );
    await db.transaction((tx) => payouts.recordSends(tx, epoch, results));
    return { progressed: confirms.length > 0 || results.some((r) => r.error === null), confirmed: confirms.length };
  }

  /** Builds and signs new transactions and commits their signatures to the ledger before returning them. */
  private async sign(epoch: number, root: string, parts: { p: LivePart; why: SignReason }[]): Promise<LivePart[]> {
    const { chain, db, payouts, metrics } = this.deps;
    let lifetime;
    try {
      lifetime = await chain.gateway.latestBlockhash();
    } catch (error) {
      this.gatewayFailed('getLatestBlockhash', error);
      return [];
    }
    const signed: { p: LivePart; s: SignedPart; why: SignReason }[] = [];
    for (const { p, why } of parts) {
      // The same message under the same blockhash would be the same signature: wait for the next blockhash.
      if (p.blockhash === lifetime.blockhash) {
        continue;
      }
      const instructions = await payoutInstructions({
        payer: chain.payer,
        mint: chain.mint,
        authority: chain.authority,
        transfers: p.payouts.map((w) => ({ wallet: w.wallet as Address, amount: w.amount })),
        memo: { epoch, root, part: p.part, parts: p.parts },
      });
      const tx = await signTransaction(instructions, chain.payer, lifetime);
      signed.push({
        p,
        why,
        s: {
          part: p.part,
          signature: tx.signature,
          blockhash: tx.blockhash,
          lastValidBlockHeight: tx.lastValidBlockHeight,
          wire: tx.wire,
        },
      });
    }
    if (signed.length === 0) {
      return [];
    }
    await db.transaction((tx) =>
      payouts.recordSigned(
        tx,
        epoch,
        signed.map((x) => x.s),
      ),
    );
    for (const { p, s, why } of signed) {
      metrics.payoutTxs.inc({ outcome: why });
      if (p.signature !== null) {
        p.priorSignatures = [...p.priorSignatures, p.signature];
      }
      Object.assign(p, {
        state: 'signed',
        signature: s.signature,
        blockhash: s.blockhash,
        lastValidBlockHeight: s.lastValidBlockHeight,
        wire: s.wire,
      });
      p.signings += 1;
    }
    await this.deps.hooks?.afterSign?.(
      epoch,
      signed.map((x) => x.p.part),
    );
    return signed.map((x) => x.p);
  }
}
