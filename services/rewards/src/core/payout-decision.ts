/** What the ledger knows about one payout transaction. */
export interface LedgerTx {
  readonly state: 'pending' | 'signed' | 'confirmed';
  readonly signature: string | null;
  readonly lastValidBlockHeight: bigint | null;
}

/** What the chain says about its signature. */
export interface ChainView {
  /** null: the chain does not know the signature */
  readonly status: { readonly err: string | null; readonly final: boolean } | null;
  readonly blockHeight: bigint;
}

export type PayoutAction =
  /** nothing to do: it landed and succeeded */
  | 'done'
  /** it landed and succeeded just now: record it */
  | 'confirm'
  /** build and sign a new transaction (first time, landed-but-failed, or expired unseen) */
  | 'sign'
  /** send the very same signed bytes again (safe: the chain refuses a signature twice) */
  | 'rebroadcast'
  /** landed but not yet at the wanted commitment: look again later */
  | 'wait';

/**
 * The exactly-once rule. A new transaction (new signature) is only ever made when the previous one can no
 * longer mint: it landed and failed (a failed transaction changes no balance), or its blockhash has expired
 * and the chain has never seen its signature. Anything else either rebroadcasts identical bytes or waits.
 */
export function decidePayoutAction(tx: LedgerTx, chain: ChainView | null): PayoutAction {
  if (tx.state === 'confirmed') {
    return 'done';
  }
  if (tx.signature === null || tx.lastValidBlockHeight === null) {
    return 'sign';
  }
  if (chain === null) {
    return 'wait';
  }
  if (chain.status !== null) {
    if (chain.status.err !== null) {
      return 'sign';
    }
    return chain.status.final ? 'confirm' : 'wait';
  }
  return chain.blockHeight > tx.lastValidBlockHeight ? 'sign' : 'rebroadcast';
}

/** Exponential backoff without jitter: base·2^(attempt-1), capped. Attempt 1 is the first retry. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  if (attempt <= 0) {
    return 0;
  }
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
}
