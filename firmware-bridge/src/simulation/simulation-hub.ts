import { EcowittServer } from '../adapters/ecowitt.server.js';
import { ModbusGatewayEmulator } from './modbus.emulator.js';

export interface SimulationHubOptions {
  /** interface the shared endpoints listen on (default 127.0.0.1) */
  readonly host?: string;
  /** bridge clock for `dateutc=now` pushes */
  readonly now?: () => number;
}

/**
 * Endpoints many simulated devices share, so a fleet of a thousand costs a handful of sockets: one HTTP
 * receiver for every Ecowitt/WU station (routed by PASSKEY / station ID) and Modbus TCP gateways with up to
 * 247 meters each (routed by unit id).
 */
export class SimulationHub {
  private weather: Promise<EcowittServer> | undefined;
  private readonly gateways: { gateway: ModbusGatewayEmulator; ready: Promise<number>; next: number }[] = [];

  constructor(private readonly options: SimulationHubOptions = {}) {}

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The shared weather receiver, listening. */
  weatherServer(): Promise<EcowittServer> {
    this.weather ??= (async () => {
      const server = new EcowittServer({ host: this.host, port: 0, now: this.options.now });
      await server.listen();
      return server;
    })();
    return this.weather;
  }

  /** A free unit id on a listening Modbus gateway (a new gateway every 247 meters). */
  async modbusSlot(): Promise<{ gateway: ModbusGatewayEmulator; port: number; unitId: number }> {
    let entry = this.gateways.at(-1);
    if (!entry || entry.next > 247) {
      const gateway = new ModbusGatewayEmulator(this.host);
      entry = { gateway, ready: gateway.listen(), next: 1 };
      this.gateways.push(entry);
    }
    const unitId = entry.next++;
    return { gateway: entry.gateway, port: await entry.ready, unitId };
  }

  async close(): Promise<void> {
    const weather = this.weather;
    this.weather = undefined;
    await (await weather)?.close();
    await Promise.all(this.gateways.splice(0).map((entry) => entry.gateway.close()));
  }
}
