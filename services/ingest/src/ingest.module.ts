import type { Logger } from '@groundtruth/service-kit';
import { Module, type DynamicModule, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import { IngestController } from './ingest.controller.js';
import type { IngestCore } from './ingest.core.js';
import { IngestService } from './ingest.service.js';

export const INGEST_CORE = Symbol('INGEST_CORE');

/** Closes the core's connections when the microservice shuts down. */
class IngestCoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly core: IngestCore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.core.close();
  }
}

/** The ingest microservice's module: the controller and the service of an already connected core. */
@Module({})
export class IngestModule {
  static register(core: IngestCore): DynamicModule {
    return {
      module: IngestModule,
      controllers: [IngestController],
      providers: [
        { provide: INGEST_CORE, useValue: core },
        { provide: IngestService, useValue: core.service },
        { provide: IngestCoreLifecycle, useFactory: () => new IngestCoreLifecycle(core) },
      ],
      exports: [IngestService],
    };
  }
}

/** Nest's own log lines as structured JSON lines through the service logger. */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info('nest', { message: String(message), context });
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error('nest', {
      message: message instanceof Error ? message.message : String(message),
      trace,
      context,
    });
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn('nest', { message: String(message), context });
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug('nest', { message: String(message), context });
  }
  verbose(message: unknown, context?: string): void {
    this.logger.debug('nest', { message: String(message), context });
  }
}
