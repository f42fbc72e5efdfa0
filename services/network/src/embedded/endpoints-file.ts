import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NetworkEndpoints } from './network.js';

const FILE = 'network.json';

/**
 * `<dataDir>/network.json`: where the running network's parts listen (the database and broker ports of the
 * embedded mode are picked at start). The CLI reads it for its defaults; it holds no secret.
 */
export function writeEndpointsFile(endpoints: NetworkEndpoints, pid: number): void {
  writeFileSync(path.join(endpoints.dataDir, FILE), JSON.stringify({ ...endpoints, pid }, null, 2) + '\n');
}

export function removeEndpointsFile(dataDir: string): void {
  rmSync(path.join(dataDir, FILE), { force: true });
}

export function readEndpointsFile(dataDir: string): (NetworkEndpoints & { pid: number }) | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as NetworkEndpoints & { pid: number };
  } catch {
    return undefined;
  }
}
