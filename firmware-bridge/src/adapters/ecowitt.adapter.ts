import type { HardwareKind } from '@groundtruth/protocol';
import { RejectCounters, type AdapterSink, type FrameRejectReason, type HardwareAdapter } from './adapter.js';
import { EcowittServer, type WeatherStationRoute } from './ecowitt.server.js';

export interface EcowittAdapterOptions {
  /** a shared server (many stations on one port); when absent the adapter runs its own */
  readonly server?: EcowittServer;
  /** host/port of the adapter's own server (default 0.0.0.0:8080 is a typical "customized server" port) */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** accept only Ecowitt pushes carrying this PASSKEY */
  readonly passkey?: string;
  /** accept only WU pushes with this station ID (and PASSWORD, when given) */
  readonly stationId?: string;
  readonly password?: string;
  /** station altitude (m), to turn sea-level pressure (WU `baromin`, `baromrelin`) into station pressure */
  readonly altitudeM?: number;
  readonly now?: () => number;
}

/**
 * A weather station that pushes Ecowitt-protocol or Weather Underground uploads. Point the gateway's
 * "customized" upload (WS View Plus → Weather Services → Customized) at this bridge.
 */
export class EcowittAdapter implements HardwareAdapter {
  readonly kind: HardwareKind = 'weather';
  readonly counters = new RejectCounters();
  private server: EcowittServer | undefined;
  private ownsServer = false;
  private unroute: (() => void) | undefined;

  constructor(private readonly options: EcowittAdapterOptions = {}) {
    if (options.server && options.passkey === undefined && options.stationId === undefined) {
      throw new TypeError('EcowittAdapter on a shared server needs a passkey or a stationId to route by');
    }
  }

  /** The port the adapter receives on (after start). */
  get port(): number {
    return this.server?.port ?? 0;
  }

  async start(sink: AdapterSink): Promise<void> {
    const reject = (reason: FrameRejectReason, detail: string) => {
      this.counters.add(reason);
      sink.reject(reason, detail);
    };
    if (this.options.server) {
      this.server = this.options.server;
    } else {
      this.server = new EcowittServer({
        host: this.options.listen?.host ?? '0.0.0.0',
        port: this.options.listen?.port ?? 8080,
        now: this.options.now,
        onUnrouted: reject,
      });
      this.ownsServer = true;
      await this.server.listen();
    }
    const route: WeatherStationRoute = {
      passkey: this.options.passkey,
      stationId: this.options.stationId,
      password: this.options.password,
      altitudeM: this.options.altitudeM,
      deliver: (push) => sink.sample(push.sample),
      reject,
    };
    this.unroute = this.server.route(route);
  }

  async stop(): Promise<void> {
    this.unroute?.();
    this.unroute = undefined;
    if (this.ownsServer) {
      await this.server?.close();
    }
    this.server = undefined;
  }
}
