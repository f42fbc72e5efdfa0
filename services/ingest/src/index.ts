/**
 * @groundtruth/ingest: MQTT readings → verified, checked, exactly-once rows in TimescaleDB, PUBACK after COMMIT.
 * Start it as a Nest microservice (`createIngestMicroservice`, main.ts) or in-process (`IngestRunner`).
 */
export * from './batch.collector.js';
export * from './copy.encoder.js';
export * from './deferred-ack.js';
export * from './device.registry.js';
export * from './envelope.checks.js';
export * from './envelope.opener.js';
export * from './envelope.pool.js';
export * from './ingest.config.js';
export * from './ingest.controller.js';
export * from './ingest.core.js';
export * from './ingest.errors.js';
export * from './ingest.metrics.js';
export * from './ingest.microservice.js';
export * from './ingest.module.js';
export * from './ingest.runner.js';
export * from './ingest.service.js';
export * from './ingest.transport.js';
export * from './metrics.server.js';
export * from './mqtt-batch.consumer.js';
export * from './quality.flags.js';
export * from './rate.limiter.js';
export * from './reading.columns.js';
export * from './readings.repository.js';
export * from './seq.classifier.js';
export * from './stored.reading.js';
export * from './writer.connections.js';
