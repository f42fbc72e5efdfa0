import { NodeCryptoSigner, TweetnaclSigner, type Signer } from '@groundtruth/protocol';
import type { HardwareAdapter } from '../adapters/adapter.js';
import { DeviceBridge } from '../core/device-bridge.js';
import type { BridgeLogger } from '../core/logger.js';
import { loadKeyFile } from '../keys/device-key.js';
import { createAdapter } from './adapter-config.js';
import type { BridgeConfig } from './bridge-config.js';

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
