/**
 * @groundtruth/firmware-bridge — the program a hardware owner runs next to the sensor (`gt-bridge`), and the same
 * code as a library: the embedded network runs a simulated fleet in-process with {@link SimulatedFleet}.
 *
 * @example
 * const fleet = await SimulatedFleet.start({ kind: 'weather', count: 100, seed: 7, dataDir, mqtt: { url } });
 * // ... later
 * await fleet.stop();
 */
export * from './adapters/adapter.js';
export * from './core/batcher.js';
export * from './core/bridge-counters.js';
export * from './core/bridge-error.js';
export * from './core/bridge-metrics.js';
export * from './core/device-bridge.js';
export * from './core/durable-queue.js';
export * from './core/envelope-sealer.js';
export * from './core/frame-codec.js';
export * from './core/logger.js';
export * from './core/reading-assembler.js';
export type { QueuePosition, RecoveryReport, StoredRecord } from './core/segment-files.js';
export { QueueIoError } from './core/segment-writer.js';
export * from './mqtt/backoff.js';
export * from './mqtt/inflight-window.js';
export * from './mqtt/mqtt-link.js';
export * from './mqtt/queue-publisher.js';
export * from './keys/device-key.js';
export * from './keys/registration-client.js';
export * from './fleet/bridge-faults.js';
export * from './fleet/fault-plan.js';
export * from './fleet/fault-checks.js';
export * from './fleet/fleet-manifest.js';
export * from './fleet/network-fleet.js';
export * from './fleet/simulated-fleet.js';
export { adapterConfigSchema, createAdapter, type AdapterConfig } from './cli/adapter-config.js';
export { bridgeConfigSchema, loadBridgeConfig, type BridgeConfig } from './cli/bridge-config.js';
export { signerFor, startBridgeFromConfig } from './cli/start-bridge.js';
export { serveBridgeMetrics, type BridgeMetricsServer, type MetricsListen } from './cli/metrics-server.js';
export { main as runCli } from './cli/main.js';
export { keygenCommand } from './cli/keygen.command.js';
export { registerCommand } from './cli/register.command.js';
export { createSimClock, realClock, type SimClock } from './simulation/clock.js';
export { ecowittForm, wundergroundQuery } from './simulation/ecowitt.encoder.js';
export type { FaultPlan, SpoofVariant } from './simulation/signal-faults.js';
export type { GeoPoint } from './simulation/weather.model.js';
export {
  BRIDGE_FAULTS,
  FAULT_TYPES,
  SIGNAL_FAULTS,
  type BridgeFault,
  type FaultType,
  type SignalFault,
} from './simulation/faults.js';
