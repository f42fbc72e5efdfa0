import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BridgeStatus } from '../core/bridge-counters.js';
import { BridgeError } from '../core/bridge-error.js';
import { BRIDGE_METRICS_CONTENT_TYPE, renderBridgeMetrics } from '../core/bridge-metrics.js';

export interface MetricsListen {
  readonly host: string;
  /** 0 picks a free port (see {@link BridgeMetricsServer.url}) */
  readonly port: number;
}

export interface BridgeMetricsServer {
  /** where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` for Prometheus from the bridges' live statuses (read at each scrape). Anything else
 * gets 404 (another path) or 405 (another method). A port that cannot be taken fails the start with
 * METRICS_LISTEN_FAILED rather than running a bridge nobody can watch.
 */
export async function serveBridgeMetrics(
  listen: MetricsListen,
  statuses: () => readonly BridgeStatus[],
): Promise<BridgeMetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    const body = renderBridgeMetrics(statuses());
    response.writeHead(200, {
      'content-type': BRIDGE_METRICS_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BridgeError(
          'METRICS_LISTEN_FAILED',
          `cannot serve /metrics on ${listen.host}:${listen.port}: ${error.code ?? error.message}`,
          { host: listen.host, port: listen.port },
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // IPv6 literals need brackets in a URL
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * {@link serveBridgeMetrics} for bridges a command has just started: when the endpoint cannot listen, stops them
 * (or their adapters and connections would keep the process alive) and rethrows METRICS_LISTEN_FAILED.
 */
export async function serveMetricsOrStop(
  listen: MetricsListen,
  statuses: () => readonly BridgeStatus[],
  stopStarted: () => Promise<void>,
): Promise<BridgeMetricsServer> {
  try {
    return await serveBridgeMetrics(listen, statuses);
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
