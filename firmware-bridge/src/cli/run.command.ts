import type { Command } from 'commander';
import { createJsonLogger, type BridgeLogger } from '../core/logger.js';
import { loadBridgeConfig } from './bridge-config.js';
import type { CliIo } from './cli-io.js';
import type { BridgeMetricsServer } from './metrics-server.js';

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilStopSignal(logger: BridgeLogger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info('bridge.stopping', { signal });
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function runCommand(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('run the bridge for one device: read the hardware, sign, store durably, publish over MQTT')
    .requiredOption(
      '--config <file>',
      'JSON config: adapter, keyFile, dataDir, mqtt, batching, queue bound, signer (see README)',
    )
    .action(async (options: { config: string }) => {
      const config = loadBridgeConfig(options.config);
      const logger = createJsonLogger({ level: config.log?.level ?? 'info', base: { app: 'gt-bridge' } });
      const { startBridgeFromConfig } = await import('./start-bridge.js'); // the other commands never load it
      const bridge = await startBridgeFromConfig(config, logger);
      let metrics: BridgeMetricsServer | undefined;
      if (config.metrics !== undefined) {
        const { serveMetricsOrStop } = await import('./metrics-server.js');
        metrics = await serveMetricsOrStop(
          config.metrics.listen,
          () => [bridge.status()],
          () => bridge.stop({ drainMs: 0 }),
        );
        logger.info('bridge.metrics_listening', { url: metrics.url });
      }
      io.err(
        `gt-bridge: device ${bridge.device} running (data in ${config.dataDir}${metrics ? `, metrics on ${metrics.url}` : ''}); Ctrl-C to stop`,
      );
      logger.info('bridge.started', {
        nextSeq: bridge.nextSeq,
        broker: config.mqtt?.url ?? null,
        mode: config.mode,
        signer: config.signer,
      });
      await untilStopSignal(logger);
      try {
        await bridge.stop({ drainMs: config.drainMs });
      } finally {
        await metrics?.close();
      }
    });
}
