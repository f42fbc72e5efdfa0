import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScoresRepository } from './db/scores.repository.js';
import { DevicesController } from './http/devices.controller.js';
import { EpochsController } from './http/epochs.controller.js';
import { OperatorGuard } from './http/operator.guard.js';
import { ScoringErrorFilter } from './http/scoring-error.filter.js';
import { ServiceController } from './http/service.controller.js';
import { ScoringValidationPipe } from './http/validation.pipe.js';
import { ScoringJob } from './job/scoring.job.js';
import { Clock, ScoringLogger, ScoringSettings } from './scoring.deps.js';
import { ScoringRunner } from './scoring.runner.js';
import { QualityRepository } from './service/quality.repository.js';
import { QualityService } from './service/quality.service.js';
import { RescoringService } from './service/rescoring.service.js';
import { ServiceMetrics } from './service.metrics.js';

/** Everything the module needs from outside, already built by `createScoringApp`. */
export interface ScoringModuleDeps {
  readonly job: ScoringJob;
  readonly runner: ScoringRunner;
  readonly scores: ScoresRepository;
  readonly quality: QualityRepository;
  readonly settings: ScoringSettings;
  readonly clock: Clock;
  readonly logger: ScoringLogger;
  readonly metrics: ServiceMetrics;
}

/**
 * The scoring service's Nest module. Outside values enter as `useValue` providers keyed by class; the services
 * are resolved by constructor parameter types (emitDecoratorMetadata), without @Inject.
 */
@Module({})
export class ScoringModule {
  static forRoot(deps: ScoringModuleDeps): DynamicModule {
    return {
      module: ScoringModule,
      controllers: [DevicesController, EpochsController, ServiceController],
      providers: [
        { provide: ScoringJob, useValue: deps.job },
        { provide: ScoringRunner, useValue: deps.runner },
        { provide: ScoresRepository, useValue: deps.scores },
        { provide: QualityRepository, useValue: deps.quality },
        { provide: ScoringSettings, useValue: deps.settings },
        { provide: Clock, useValue: deps.clock },
        { provide: ScoringLogger, useValue: deps.logger },
        { provide: ServiceMetrics, useValue: deps.metrics },
        QualityService,
        RescoringService,
        OperatorGuard,
        { provide: APP_FILTER, useClass: ScoringErrorFilter },
        { provide: APP_PIPE, useClass: ScoringValidationPipe },
      ],
    };
  }
}
