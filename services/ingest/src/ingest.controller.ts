import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IngestService, type BatchSummary } from './ingest.service.js';
import type { MessageBatch } from './mqtt-batch.consumer.js';
import { READINGS_PATTERN } from './ingest.transport.js';

/** Thin by design: the transport hands over a batch; the service checks and commits it. */
@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern(READINGS_PATTERN)
  handleReadings(@Payload() batch: MessageBatch): Promise<BatchSummary> {
    return this.ingest.process(batch);
  }
}
