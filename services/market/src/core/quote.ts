import { canonicalize } from '@groundtruth/protocol';
import type { NetworkKey } from './network-key.js';
import { verifyBase58Signature } from './network-key.js';

export const QUOTE_SIGNING_PREFIX = Buffer.from('gt:v1:quote:', 'ascii');

/**
 * A price offer for one frozen query, signed by the network. The buyer pays `amount` base units of `mint`
 * into the `treasury` token account in one transaction that also carries `memo` (a Memo program
 * instruction), before `expiresAt`.
 */
export interface Quote {
  readonly v: 1;
  readonly type: 'groundtruth.quote';
  readonly orderId: string;
  readonly query: Record<string, unknown>;
  readonly rows: number;
  readonly devices: number;
  /** decimal strings of base units (JSON has no bigint) */
  readonly unitPrice: string;
  readonly multiplierBps: number;
  readonly amount: string;
  readonly mint: string;
  readonly treasury: string;
  readonly memo: string;
  readonly expiresAt: number;
  readonly network: string;
}

export interface SignedQuote extends Quote {
  readonly signature: string;
}

/** The memo a payment for this order must carry, byte for byte. */
export function orderMemo(orderId: string): string {
  return `groundtruth:order:${orderId}`;
}

export function quoteSigningMessage(quote: Quote): Buffer {
  const { signature: _ignored, ...unsigned } = quote as SignedQuote;
  return Buffer.concat([QUOTE_SIGNING_PREFIX, Buffer.from(canonicalize(unsigned), 'utf8')]);
}

export function signQuote(quote: Omit<Quote, 'network'>, key: NetworkKey): SignedQuote {
  const unsigned: Quote = { ...quote, network: key.publicKey };
  return { ...unsigned, signature: key.sign(quoteSigningMessage(unsigned)).toString('base64') };
}

export function verifyQuoteSignature(quote: SignedQuote, expectedNetwork: string): boolean {
  try {
    return (
      quote.network === expectedNetwork &&
      verifyBase58Signature(quote.network, quoteSigningMessage(quote), quote.signature)
    );
  } catch {
    return false;
  }
}
