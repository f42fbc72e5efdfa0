import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { IngestConfig } from './ingest.config.js';
import { consumerOptions, createIngestCore, type IngestCore, type IngestCoreOptions } from './ingest.core.js';
import { IngestModule, NestLogger } from './ingest.module.js';
import { IngestTransport } from './ingest.transport.js';

export interface IngestMicroservice {
  readonly app: INestMicroservice;
  readonly transport: IngestTransport;
  readonly core: IngestCore;
}

/**
 * The ingest as a Nest microservice on {@link IngestTransport}. Call `app.listen()` to connect to the broker
 * and `app.close()` to stop (batches in flight commit first; unacknowledged messages stay in the session).
 */
export async function createIngestMicroservice(
  config: IngestConfig,
  options: IngestCoreOptions = {},
): Promise<IngestMicroservice> {
  const core = await createIngestCore(config, options);
  try {
    const transport = new IngestTransport(consumerOptions(config), core.logger, core.metrics);
    const app = await NestFactory.createMicroservice(IngestModule.register(core), {
      strategy: transport,
      logger: new NestLogger(core.logger),
    });
    return { app, transport, core };
  } catch (error) {
    await core.close();
    throw error;
  }
}
