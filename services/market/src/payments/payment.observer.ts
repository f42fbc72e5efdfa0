import type { ObservedTransaction } from '../core/payment-check.js';

/**
 * Reads what a transaction did on chain, for the pure payment check (GatewayPaymentObserver over LiteSVM or
 * RPC). An abstract class so it is also the DI token.
 */
export abstract class PaymentObserver {
  /** undefined when the chain does not know the signature (yet) */
  abstract observe(signature: string): Promise<ObservedTransaction | undefined>;
}
