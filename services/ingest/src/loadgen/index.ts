/** Load generation for benchmarks: pre-signed envelopes, publisher threads, and the Nest built-in baseline. */
export * from './envelopes.js';
export * from './nest-builtin.baseline.js';
export * from './publishers.js';
export type { PublisherJob } from './publisher.worker.js';
