/**
 * An emulated Modbus TCP gateway with energy meters behind it (unit ids 1..247), each serving the SDM630
 * input-register map from its household model through the signal faults. One server holds many meters, as an
 * RS485-to-Ethernet gateway does. A meter in dropout does not answer (the client times out); an unknown
 * unit id gets exception 0x0B (gateway target failed to respond); an unmapped address exception 0x02.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import modbusSerial from 'modbus-serial';
import { encodeRegisters, SDM630_MAP, type RegisterMap } from '../adapters/modbus.register-map.js';
import { measureHousehold, type MeterSourceOptions } from './p1.emulator.js';

type Callback = (err: Error | null, values: number[]) => void;
const exception = (code: number, message: string): Error =>
  Object.assign(new Error(message), { modbusErrorCode: code });

/** A port the OS says is free now (modbus-serial's ServerTCP cannot listen on port 0). */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export class ModbusGatewayEmulator {
  private readonly meters = new Map<number, MeterSourceOptions>();
  private server: InstanceType<typeof modbusSerial.ServerTCP> | undefined;
  private boundPort = 0;

  constructor(
    private readonly host = '127.0.0.1',
    private readonly map: RegisterMap = SDM630_MAP,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get meterCount(): number {
    return this.meters.size;
  }

  /** Puts a meter behind the gateway at `unitId`; returns the function that removes it. */
  addMeter(unitId: number, source: MeterSourceOptions): () => void {
    if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247 || this.meters.has(unitId)) {
      throw new RangeError(`unit id ${unitId} is not a free id in 1..247`);
    }
    this.meters.set(unitId, source);
    return () => this.meters.delete(unitId);
  }

  async listen(port?: number): Promise<number> {
    const chosen = port ?? (await freePort(this.host));
    const vector = {
      getMultipleInputRegisters: (addr: number, length: number, unitID: number, cb: Callback) =>
        this.read(addr, length, unitID, cb),
    };
    const server = new modbusSerial.ServerTCP(vector, { host: this.host, port: chosen, unitID: 255 });
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      server.on('serverError', (error) => reject(error ?? new Error('modbus server error')));
    });
    server.on('socketError', () => undefined); // a client going away is not the gateway's problem
    this.server = server;
    this.boundPort = chosen;
    return chosen;
  }

  private read(addr: number, length: number, unitId: number, cb: Callback): void {
    const meter = this.meters.get(unitId);
    if (!meter) {
      cb(exception(0x0b, `no meter at unit ${unitId}`), []);
      return;
    }
    const metrics = measureHousehold(meter, meter.clock.now());
    if (!metrics) {
      return; // dropout: the meter is silent and the client times out
    }
    const image = encodeRegisters(this.map, metrics);
    const values: number[] = [];
    for (let a = addr; a < addr + length; a++) {
      const word = image.get(a);
      if (word === undefined) {
        cb(exception(0x02, `illegal data address ${a}`), []);
        return;
      }
      values.push(word);
    }
    cb(null, values);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
