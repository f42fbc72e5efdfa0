import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CatalogueService } from './catalogue.service.js';
import { NetworkKey } from './core/network-key.js';
import { CatalogueRepository } from './db/catalogue.repository.js';
import { ExportsRepository } from './db/exports.repository.js';
import { OrdersRepository, type RevenueShareSink } from './db/orders.repository.js';
import { OwnersRepository } from './db/owners.repository.js';
import { QualityRepository } from './db/quality.repository.js';
import { ExportsService } from './exports.service.js';
import { DatasetsController } from './http/datasets.controller.js';
import { ExportsController } from './http/exports.controller.js';
import { MarketErrorFilter } from './http/market-error.filter.js';
import { MetricsController } from './http/metrics.controller.js';
import { OrdersController } from './http/orders.controller.js';
import { OwnersController } from './http/owners.controller.js';
import { MarketValidationPipe } from './http/validation.pipe.js';
import { Clock, Database, MarketLogger, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';
import { OwnersService } from './owners.service.js';
import { PaymentObserver } from './payments/payment.observer.js';
import { PaymentsService } from './payments.service.js';

/** Everything the module needs from outside, already built. */
export interface MarketModuleDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: MarketLogger;
  readonly settings: MarketSettings;
  readonly metrics: MarketMetrics;
  readonly networkKey: NetworkKey;
  readonly payments: PaymentObserver;
  /** hands each sale's device shares to the rewards ledger, inside the payment's transaction */
  readonly revenueShareSink?: RevenueShareSink;
}

/** Ends the pool on shutdown when the app created it. */
class PoolCloser implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.database.ownsPool) {
      await this.database.pool.end();
    }
  }
}

/**
 * The market's Nest module. Outside values enter as `useValue` providers keyed by class; repositories are
 * built from the pool with factories (they are plain classes, usable without Nest).
 */
@Module({})
export class MarketModule {
  static forRoot(deps: MarketModuleDeps): DynamicModule {
    const pool = deps.database.pool;
    return {
      module: MarketModule,
      controllers: [DatasetsController, OrdersController, ExportsController, OwnersController, MetricsController],
      providers: [
        { provide: Database, useValue: deps.database },
        { provide: Clock, useValue: deps.clock },
        { provide: MarketLogger, useValue: deps.logger },
        { provide: MarketSettings, useValue: deps.settings },
        { provide: MarketMetrics, useValue: deps.metrics },
        { provide: NetworkKey, useValue: deps.networkKey },
        { provide: PaymentObserver, useValue: deps.payments },
        { provide: CatalogueRepository, useValue: new CatalogueRepository(pool) },
        { provide: OrdersRepository, useValue: new OrdersRepository(pool, deps.revenueShareSink) },
        { provide: ExportsRepository, useValue: new ExportsRepository(pool) },
        { provide: OwnersRepository, useValue: new OwnersRepository(pool) },
        { provide: QualityRepository, useValue: new QualityRepository(pool) },
        { provide: PoolCloser, useValue: new PoolCloser(deps.database) },
        CatalogueService,
        PaymentsService,
        ExportsService,
        OwnersService,
        { provide: APP_FILTER, useClass: MarketErrorFilter },
        { provide: APP_PIPE, useClass: MarketValidationPipe },
      ],
    };
  }
}
