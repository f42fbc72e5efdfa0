import { setTimeout as sleep } from 'node:timers/promises';
import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import { Option, type Command } from 'commander';
import { createJsonLogger, type LogLevel } from '../core/logger.js';
import type { SimulatedProtocol } from '../simulation/simulated-device.js';
import { parse, type CliIo } from './cli-io.js';
import type { BridgeMetricsServer } from './metrics-server.js';
import { untilStopSignal } from './run.command.js';

interface SimulateOptions {
  kind: HardwareKind;
  count: number;
  faults: string;
  seed: string;
  broker: string;
  mqttVersion: '4' | '5';
  dataDir?: string;
  interval: number;
  speed: number;
  protocol?: SimulatedProtocol;
  transport: 'memory' | 'tcp';
  mode: 'batch' | 'single';
  batchSize: number;
  batchAge: number;
  signer: 'node' | 'tweetnacl';
  fsync?: boolean;
  lat: number;
  lon: number;
  radiusKm: number;
  register?: string;
  ownerKeypair?: string;
  duration?: number;
  metricsPort?: number;
  logLevel: LogLevel;
}

export function simulateCommand(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description(
      'run N simulated devices in this process (emulated hardware → real adapters → real bridge), with faults from a seed',
    )
    .addOption(new Option('--kind <kind>', 'hardware kind').choices(HARDWARE_KINDS).makeOptionMandatory())
    .requiredOption('--count <n>', 'number of devices', parse.int('--count', 1, 100_000))
    .requiredOption('--broker <url>', 'MQTT broker URL (mqtt://, mqtts://, ws://, wss://)', parse.url('--broker'))
    .addOption(
      new Option('--mqtt-version <version>', 'MQTT protocol: 5, or 4 (3.1.1) for brokers without MQTT 5')
        .choices(['4', '5'])
        .default('5'),
    )
    .option(
      '--faults <list>',
      'fault:devices,... e.g. stuck:2,spike:1,clock_skew:1,replay:1,bad_signature:1,cloned_key:1',
      '',
    )
    .option('--seed <seed>', 'reproducibility: same seed, same devices, signals and faults', '1')
    .option('--data-dir <dir>', 'queues and status per device, and fleet.json (default ./gt-sim-<kind>-<seed>)')
    .option(
      '--interval <seconds>',
      'simulated seconds between readings of a device',
      parse.number('--interval', 0.01, 86_400),
      60,
    )
    .option(
      '--speed <factor>',
      'simulated seconds per wall second (a fast clock)',
      parse.number('--speed', 0.001, 100_000),
      1,
    )
    .addOption(
      new Option('--protocol <protocol>', 'hardware protocol (default per kind: ecowitt, elm327, p1)').choices([
        'ecowitt',
        'wunderground',
        'elm327',
        'p1',
        'modbus',
      ]),
    )
    .addOption(
      new Option('--transport <transport>', 'serial-like devices over in-memory pipes or local TCP')
        .choices(['memory', 'tcp'])
        .default('memory'),
    )
    .addOption(new Option('--mode <mode>', 'envelopes').choices(['batch', 'single']).default('batch'))
    .option('--batch-size <n>', 'readings per batch envelope', parse.int('--batch-size', 1, 1000), 50)
    .option(
      '--batch-age <ms>',
      'longest a reading waits for its batch (wall ms)',
      parse.int('--batch-age', 0, 3_600_000),
      1000,
    )
    .addOption(
      new Option('--signer <signer>', 'signature implementation (identical signatures)')
        .choices(['node', 'tweetnacl'])
        .default('node'),
    )
    .option('--fsync', 'fsync every group commit (default off for fleets: survives a process kill, not a power loss)')
    .option('--lat <degrees>', 'centre of the fleet', parse.number('--lat', -90, 90), 52.37)
    .option('--lon <degrees>', 'centre of the fleet', parse.number('--lon', -180, 180), 4.89)
    .option(
      '--radius-km <km>',
      'devices are spread uniformly over this disc',
      parse.number('--radius-km', 0, 20_000),
      25,
    )
    .option(
      '--register <url>',
      'registry base URL: register every device first (needs --owner-keypair)',
      parse.url('--register'),
    )
    .option('--owner-keypair <file>', "owner's Solana keypair file for --register")
    .option(
      '--duration <seconds>',
      'stop after this many wall seconds (default: until Ctrl-C)',
      parse.number('--duration', 0, 31_536_000),
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus GET /metrics for every device on 127.0.0.1:<port> (0: a free port)',
      parse.int('--metrics-port', 0, 65_535),
    )
    .addOption(
      new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('warn'),
    )
    .action(async (options: SimulateOptions) => {
      if ((options.register === undefined) !== (options.ownerKeypair === undefined)) {
        program.error('error: --register and --owner-keypair go together', { exitCode: 2 });
      }
      const logger = createJsonLogger({ level: options.logLevel, base: { app: 'gt-bridge-simulate' } });
      // Loaded here, not at start-up: `gt-bridge run` on a Pi never pays for the simulators.
      const [
        { parseFaultCounts },
        { fleetStatuses, fleetTotals },
        { SimulatedFleet },
        { loadOwnerKeyPair },
        { createSimClock },
      ] = await Promise.all([
        import('../fleet/fault-plan.js'),
        import('../fleet/fleet-manifest.js'),
        import('../fleet/simulated-fleet.js'),
        import('../keys/registration-client.js'),
        import('../simulation/clock.js'),
      ]);
      const dataDir = options.dataDir ?? `gt-sim-${options.kind}-${options.seed}`;
      const fleet = await SimulatedFleet.start({
        kind: options.kind,
        count: options.count,
        seed: options.seed,
        faults: parseFaultCounts(options.faults),
        dataDir,
        mqtt: { url: options.broker, protocolVersion: options.mqttVersion === '4' ? 4 : 5 },
        intervalMs: options.interval * 1000,
        clock: createSimClock({ speed: options.speed }),
        center: { lat: options.lat, lon: options.lon },
        radiusKm: options.radiusKm,
        transport: options.transport,
        signer: options.signer,
        bridge: {
          mode: options.mode,
          batch: { maxReadings: options.batchSize, maxAgeMs: options.batchAge },
          queue: { fsync: options.fsync ?? false },
        },
        logger,
        ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
        ...(options.register === undefined
          ? {}
          : { registry: { url: options.register, owner: loadOwnerKeyPair(options.ownerKeypair!) } }),
      });
      let metrics: BridgeMetricsServer | undefined;
      if (options.metricsPort !== undefined) {
        const { serveMetricsOrStop } = await import('./metrics-server.js');
        metrics = await serveMetricsOrStop(
          { host: '127.0.0.1', port: options.metricsPort },
          () => fleetStatuses(fleet.devices),
          () => fleet.stop({ drainMs: 0 }),
        );
      }
      io.err(
        `gt-bridge simulate: ${fleet.devices.length} ${options.kind} devices running (data in ${dataDir}, ground truth in ${dataDir}/fleet.json${metrics ? `, metrics on ${metrics.url}` : ''})`,
      );
      const report = setInterval(
        () => io.err(`gt-bridge simulate: ${JSON.stringify(fleetTotals(fleet.devices))}`),
        10_000,
      );
      report.unref();
      await (options.duration === undefined ? untilStopSignal(logger) : sleep(options.duration * 1000));
      clearInterval(report);
      try {
        await fleet.stop({ drainMs: 5000 });
      } finally {
        await metrics?.close();
      }
      io.out(JSON.stringify(fleetTotals(fleet.devices)));
    });
}
