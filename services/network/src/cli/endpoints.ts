import { parseConfig } from '@groundtruth/service-kit';
import { readEndpointsFile } from '../embedded/endpoints-file.js';
import { networkConfigSchema } from '../network.config.js';
import type { ApiTarget } from './http-client.js';

/**
 * Where the CLI finds each part by default: what the running network wrote to `<dataDir>/network.json`, else the
 * embedded network's ports on this machine (GT_HOST, GT_PORT_BASE). Every command takes explicit URLs too.
 */
export function defaultEndpoints(env: Readonly<Record<string, string | undefined>>, dataDir?: string) {
  const config = parseConfig(networkConfigSchema, env);
  const running = readEndpointsFile(dataDir ?? config.dataDir);
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = (port: number) => `http://${host}:${port}`;
  return {
    registry: running?.services.registry ?? url(config.ports.registry),
    scoring: running?.services.scoring ?? url(config.ports.scoring),
    rewards: running?.services.rewards ?? url(config.ports.rewards),
    market: running?.services.market ?? url(config.ports.market),
    solanaRpc: config.solanaRpcUrl ?? running?.solanaRpcUrl ?? url(config.ports.solana),
    databaseUrl: config.databaseUrl ?? running?.databaseUrl,
    mint: running?.mint,
    dataDir: dataDir ?? config.dataDir,
  };
}

export const target = (name: string, base: string): ApiTarget => ({ name, base });
