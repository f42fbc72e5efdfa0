import { NodeCryptoSigner, TweetnaclSigner, type Signer } from '@groundtruth/protocol';
import type { Command } from 'commander';
import type { HardwareAdapter } from '../adapters/adapter.js';
import { DeviceBridge } from '../core/device-bridge.js';
import { createJsonLogger, type BridgeLogger } from '../core/logger.js';
import { loadKeyFile } from '../keys/device-key.js';
import { createAdapter } from './adapter-config.js';
import { loadBridgeConfig, type BridgeConfig } from './bridge-config.js';
import type { CliIo } from './cli-io.js';

export function signerFor(kind: 'tweetnacl' | 'node', keyFile: string): Signer {
  const keys = loadKeyFile(keyFile);
  return kind === 'node' ? new NodeCryptoSigner(keys) : new TweetnaclSigner(keys);
}

/** Starts the bridge a config describes (the adapter can be injected, e.g. an emulator in tests). */
export function startBridgeFromConfig(
  config: BridgeConfig,
  logger: BridgeLogger,
  adapter?: HardwareAdapter,
): Promise<DeviceBridge> {
  return DeviceBridge.start({
    adapter: adapter ?? createAdapter(config.adapter),
    signer: signerFor(config.signer, config.keyFile),
    dataDir: config.dataDir,
    mode: config.mode,
    logger,
    ...(config.mqtt === undefined
      ? {}
      : {
          mqtt: config.mqtt,
          ...(config.mqtt.maxInflight === undefined ? {} : { maxInflight: config.mqtt.maxInflight }),
        }),
    ...(config.batch === undefined ? {} : { batch: config.batch }),
    ...(config.queue === undefined ? {} : { queue: config.queue }),
    ...(config.statusIntervalMs === undefined ? {} : { statusIntervalMs: config.statusIntervalMs }),
  });
}

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
      const bridge = await startBridgeFromConfig(config, logger);
      io.err(`gt-bridge: device ${bridge.device} running (data in ${config.dataDir}); Ctrl-C to stop`);
      logger.info('bridge.started', {
        nextSeq: bridge.nextSeq,
        broker: config.mqtt?.url ?? null,
        mode: config.mode,
        signer: config.signer,
      });
      await untilStopSignal(logger);
      await bridge.stop({ drainMs: config.drainMs });
    });
}
