import { Injectable } from '@nestjs/common';
import { MarketError } from './core/market-error.js';
import { checkPayment } from './core/payment-check.js';
import { shareOfSale, splitProRata } from './core/revenue-share.js';
import { CatalogueRepository } from './db/catalogue.repository.js';
import { ExportsRepository, type ExportRecord } from './db/exports.repository.js';
import { OrdersRepository, type OrderRecord } from './db/orders.repository.js';
import { QualityRepository } from './db/quality.repository.js';
import { Clock, MarketLogger, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';
import { PaymentObserver } from './payments/payment.observer.js';

export interface OrderView {
  readonly orderId: string;
  readonly status: 'quoted' | 'paid';
  readonly quote: OrderRecord['quote'];
  readonly payment: { readonly signature: string; readonly amount: string; readonly paidAt: number } | null;
  readonly exports: readonly { readonly exportId: string; readonly format: string; readonly state: string }[];
}

export function orderView(order: OrderRecord, exports: readonly ExportRecord[]): OrderView {
  return {
    orderId: order.orderId,
    status: order.status,
    quote: order.quote,
    payment:
      order.payment === null
        ? null
        : {
            signature: order.payment.txSignature,
            amount: order.payment.amount.toString(),
            paidAt: order.payment.paidAt,
          },
    exports: exports.map((e) => ({ exportId: e.exportId, format: e.format, state: e.state })),
  };
}

/** Orders and their payment: verified on chain before anything is downloadable. */
@Injectable()
export class PaymentsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly exports: ExportsRepository,
    private readonly catalogue: CatalogueRepository,
    private readonly quality: QualityRepository,
    private readonly observer: PaymentObserver,
    private readonly settings: MarketSettings,
    private readonly clock: Clock,
    private readonly metrics: MarketMetrics,
    private readonly log: MarketLogger,
  ) {}

  async order(orderId: string): Promise<OrderView> {
    const order = await this.require(orderId);
    return orderView(order, await this.exports.ofOrder(orderId));
  }

  async require(orderId: string): Promise<OrderRecord> {
    const order = await this.orders.get(orderId);
    if (order === undefined) {
      throw new MarketError('ORDER_NOT_FOUND', `no order ${orderId}`, { orderId });
    }
    return order;
  }

  /**
   * Verifies that `signature` pays the order on chain (mint, treasury, amount, memo, confirmation, before
   * expiry), then records the payment and the devices' revenue shares in one transaction. Submitting the same
   * transaction again is answered with the paid order; every refusal carries its own code.
   */
  async pay(orderId: string, signature: string): Promise<OrderView> {
    try {
      const view = await this.verifyAndRecord(orderId, signature);
      this.metrics.orders.inc({ outcome: 'PAID' });
      return view;
    } catch (error) {
      if (error instanceof MarketError) {
        this.metrics.orders.inc({ outcome: error.code });
        this.log.info('market_payment_refused', { orderId, signature, code: error.code, detail: error.message });
      }
      throw error;
    }
  }

  private async verifyAndRecord(orderId: string, signature: string): Promise<OrderView> {
    const order = await this.require(orderId);
    if (order.payment !== null) {
      if (order.payment.txSignature === signature) {
        return this.order(orderId);
      }
      throw new MarketError('ALREADY_PAID', 'the order is already paid by another transaction', { orderId });
    }
    const usedBy = await this.orders.orderPaidBy(signature);
    if (usedBy !== undefined) {
      throw new MarketError('TX_REUSED', `this transaction already paid order ${usedBy}`, { orderId, signature });
    }
    const observed = await this.observer.observe(signature);
    const accepted = checkPayment(
      {
        orderId,
        mint: order.mint,
        treasury: order.treasury,
        amount: order.amount,
        memo: order.memo,
        expiresAt: order.expiresAt,
      },
      observed,
      this.settings.requiredCommitment,
      this.clock.now(),
    );
    // The frozen query gives the same rows now as at export time: the share follows what is delivered.
    const stats = await this.catalogue.stats(order.query, await this.quality.clause(order.query.minQuality));
    const shares = splitProRata(shareOfSale(order.amount, this.settings.revenueShareBps), stats.perDevice);
    const recorded = await this.orders.recordPayment(orderId, accepted, shares);
    if (recorded) {
      this.metrics.revenue.inc(Number(accepted.amount));
      this.log.info('market_order_paid', {
        orderId,
        signature,
        amount: accepted.amount.toString(),
        devices: shares.length,
        shared: shares.reduce((sum, s) => sum + s.amount, 0n).toString(),
      });
    }
    return this.order(orderId);
  }
}
