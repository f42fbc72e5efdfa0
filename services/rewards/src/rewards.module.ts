import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from '@groundtruth/service-kit';
import { EpochsController, MetricsController } from './http/epochs.controller.js';
import { EpochsQueryService } from './http/epochs-query.service.js';
import { RewardsErrorFilter } from './http/rewards-error.filter.js';
import { RewardsMetrics } from './rewards.metrics.js';

/** The HTTP side of the rewards service; the values are built by `createRewardsApp` and passed in. */
@Module({})
export class RewardsModule {
  static forRoot(deps: { query: EpochsQueryService; metrics: RewardsMetrics; logger: Logger }): DynamicModule {
    return {
      module: RewardsModule,
      controllers: [EpochsController, MetricsController],
      providers: [
        { provide: EpochsQueryService, useValue: deps.query },
        { provide: RewardsMetrics, useValue: deps.metrics },
        { provide: APP_FILTER, useValue: new RewardsErrorFilter(deps.logger) },
      ],
    };
  }
}
