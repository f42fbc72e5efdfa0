/**
 * An emulated Ecowitt gateway: every `intervalMs` of simulated time it measures the weather model through
 * the signal faults and pushes it to the bridge exactly as the firmware does — an Ecowitt-protocol form POST
 * or a Weather Underground GET. Many gateways share one keep-alive HTTP agent.
 */
import { Agent, request } from 'node:http';
import { WU_UPLOAD_PATH } from '../adapters/ecowitt.server.js';
import type { SimClock } from './clock.js';
import { ecowittForm, wundergroundQuery } from './ecowitt.encoder.js';
import type { SignalFaultInjector } from './signal-faults.js';
import type { WeatherModel } from './weather.model.js';

export interface WeatherEmulatorOptions {
  /** base URL of the bridge's receiver, e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  /** Ecowitt "customized" path (default `/data/report/`) */
  readonly path?: string;
  readonly protocol: 'ecowitt' | 'wunderground';
  readonly passkey: string;
  /** WU station ID and password (protocol wunderground) */
  readonly stationId?: string;
  readonly password?: string;
  readonly model: WeatherModel;
  readonly faults: SignalFaultInjector;
  readonly clock: SimClock;
  readonly intervalMs: number;
  readonly agent?: Agent;
}

export interface EmulatorStats {
  sent: number;
  skipped: number;
  failed: number;
  lastStatus?: number;
}

/** One keep-alive agent for all emulated gateways in the process: a thousand stations, a few sockets. */
export const sharedGatewayAgent = new Agent({ keepAlive: true, maxSockets: 32 });

export class WeatherStationEmulator {
  readonly stats: EmulatorStats = { sent: 0, skipped: 0, failed: 0 };
  private cancel: (() => void) | undefined;

  constructor(private readonly options: WeatherEmulatorOptions) {}

  /** What the station measures at ts (faults applied), or undefined during a dropout. */
  measure(ts: number): Record<string, number> | undefined {
    if (this.options.faults.isDropped(ts)) {
      return undefined;
    }
    return this.options.faults.metrics(ts, { ...this.options.model.at(ts) });
  }

  start(): void {
    this.cancel ??= this.options.clock.every(this.options.intervalMs, () => void this.push());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** Measures and pushes once; resolves with the HTTP status (undefined when skipped or failed). */
  async push(): Promise<number | undefined> {
    // The firmware stamps `dateutc` with whole seconds: measure at that instant, so the reading and its time agree.
    const ts = Math.floor(this.options.clock.now() / 1000) * 1000;
    const metrics = this.measure(ts);
    if (!metrics) {
      this.stats.skipped++;
      return undefined;
    }
    const o = this.options;
    const altitudeM = o.model.location.alt ?? 0;
    const url = new URL(o.baseUrl);
    let method = 'POST';
    let body: string | undefined;
    if (o.protocol === 'ecowitt') {
      url.pathname = o.path ?? '/data/report/';
      body = ecowittForm(metrics, ts, { passkey: o.passkey, altitudeM });
    } else {
      method = 'GET';
      url.pathname = WU_UPLOAD_PATH;
      url.search = wundergroundQuery(metrics, ts, {
        stationId: o.stationId ?? o.passkey,
        password: o.password ?? 'key',
        altitudeM,
      });
    }
    try {
      const status = await send(url, method, body, o.agent ?? sharedGatewayAgent);
      this.stats.sent++;
      this.stats.lastStatus = status;
      return status;
    } catch {
      this.stats.failed++;
      return undefined;
    }
  }
}

function send(url: URL, method: string, body: string | undefined, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = request(url, { method, agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
