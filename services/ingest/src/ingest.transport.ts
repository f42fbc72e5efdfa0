import { READINGS_TOPIC_FILTER } from '@groundtruth/protocol';
import type { Logger } from '@groundtruth/service-kit';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { IngestMetrics } from './ingest.metrics.js';
import {
  MqttBatchConsumer,
  type ConsumerHealth,
  type ConsumerOptions,
  type MessageBatch,
} from './mqtt-batch.consumer.js';

/** The pattern of the handler that receives reading batches: `@EventPattern(READINGS_PATTERN)`. */
export const READINGS_PATTERN = READINGS_TOPIC_FILTER;

/** The context a batch handler gets: `[batch]`. */
export class IngestBatchContext extends BaseRpcContext<[MessageBatch]> {
  getBatch(): MessageBatch {
    return this.args[0];
  }
}

/**
 * A Nest transport strategy on mqtt.js that hands the `READINGS_PATTERN` event handler whole batches and
 * acknowledges their messages only after the handler's promise (or observable) completed. Nest's built-in
 * MQTT server acknowledges on receipt, runs handlers without backpressure and sees one message at a time;
 * this one is {@link MqttBatchConsumer} behind Nest's handler registry. A handler that throws leaves its batch
 * unacknowledged and it is run again with backoff.
 */
export class IngestTransport extends Server implements CustomTransportStrategy {
  private consumer: MqttBatchConsumer | undefined;

  constructor(
    private readonly options: ConsumerOptions,
    private readonly log: Logger,
    private readonly metrics?: IngestMetrics,
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    if (this.getHandlerByPattern(READINGS_PATTERN) === null) {
      callback(new Error(`no @EventPattern('${READINGS_PATTERN}') handler is registered`));
      return;
    }
    const consumer = new MqttBatchConsumer(this.options, (batch) => this.dispatch(batch), this.log, this.metrics);
    this.consumer = consumer;
    consumer.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  health(): ConsumerHealth | undefined {
    return this.consumer?.health();
  }

  on(): never {
    throw new Error('IngestTransport has no events to subscribe to; use health()');
  }

  unwrap<T>(): T {
    if (this.consumer === undefined) {
      throw new Error('not listening yet');
    }
    return this.consumer.unwrap() as T;
  }

  private async dispatch(batch: MessageBatch): Promise<void> {
    const handler = this.getHandlerByPattern(READINGS_PATTERN)!;
    const result: unknown = await handler(batch, new IngestBatchContext([batch]));
    if (isObservable(result)) {
      await lastValueFrom(result, { defaultValue: undefined });
    }
  }
}
