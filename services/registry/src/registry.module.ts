import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { DeviceStatusService } from './device-status.service.js';
import { DevicesController } from './devices.controller.js';
import { DevicesRepository } from './devices.repository.js';
import { DevicesService } from './devices.service.js';
import { MakersRepository } from './makers.repository.js';
import { MakersService } from './makers.service.js';
import { MetricsController } from './metrics.controller.js';
import { OperatorController } from './operator.controller.js';
import { OperatorGuard } from './operator.guard.js';
import { Clock, Database, RegistryLogger, RegistrySettings } from './registry.deps.js';
import { RegistryErrorFilter } from './registry-error.filter.js';
import { RegistryMetrics } from './registry.metrics.js';
import { RegistryValidationPipe } from './validation.pipe.js';

/** Everything the module needs from outside, already built. */
export interface RegistryModuleDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: RegistryLogger;
  readonly settings: RegistrySettings;
  readonly metrics: RegistryMetrics;
}

/**
 * The registry's Nest module. Outside values enter as `useValue` providers keyed by class; everything else is
 * resolved by constructor parameter types (emitDecoratorMetadata), without @Inject.
 */
@Module({})
export class RegistryModule {
  static forRoot(deps: RegistryModuleDeps): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [DevicesController, OperatorController, MetricsController],
      providers: [
        { provide: Database, useValue: deps.database },
        { provide: Clock, useValue: deps.clock },
        { provide: RegistryLogger, useValue: deps.logger },
        { provide: RegistrySettings, useValue: deps.settings },
        { provide: RegistryMetrics, useValue: deps.metrics },
        DevicesRepository,
        MakersRepository,
        DevicesService,
        DeviceStatusService,
        MakersService,
        OperatorGuard,
        { provide: APP_FILTER, useClass: RegistryErrorFilter },
        { provide: APP_PIPE, useClass: RegistryValidationPipe },
      ],
    };
  }
}
