import type { HardwareKind } from '@groundtruth/protocol';
import type modbusSerial from 'modbus-serial';
import { RejectCounters, type AdapterSink, type FrameRejectReason, type HardwareAdapter } from './adapter.js';
import { decodeRegisters, SDM630_MAP, type RegisterMap } from './modbus.register-map.js';

export interface ModbusAdapterOptions {
  /** the meter or the RS485-to-TCP gateway in front of it */
  readonly host: string;
  readonly port?: number;
  /** Modbus unit (slave) id, 1..247 (default 1) */
  readonly unitId?: number;
  /** wall-clock time between the starts of two polls (ms, default 10 000) */
  readonly pollIntervalMs?: number;
  /** per-request timeout (ms, default 1000) */
  readonly timeoutMs?: number;
  readonly map?: RegisterMap;
  readonly now?: () => number;
}

// modbus-serial is CommonJS: its module object is the client class (typed as the namespace's `default`).
type ModbusClient = InstanceType<typeof modbusSerial.default>;

/** It (and the serial stack it pulls in) is loaded when a Modbus meter is first used, not at start-up. */
async function loadModbusRtu(): Promise<typeof modbusSerial.default> {
  const module = await import('modbus-serial');
  return module.default as unknown as typeof modbusSerial.default;
}

/** Why a modbus-serial call failed, as a reject reason. */
function classify(error: unknown): FrameRejectReason {
  const e = error as { errno?: string; modbusCode?: number; name?: string; message?: string };
  if (e.modbusCode !== undefined) {
    return 'bus_error'; // an exception response: illegal address, device busy, gateway target failed...
  }
  if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') {
    return 'timeout';
  }
  // A response shorter (or longer) than its request asked for: modbus-serial's "Data length error, expected N got M".
  return /data length error/i.test(e.message ?? '') ? 'truncated' : 'bus_error';
}

/** An energy meter polled over Modbus TCP (function 04, input registers) through `modbus-serial`. */
export class ModbusMeterAdapter implements HardwareAdapter {
  readonly kind: HardwareKind = 'energy';
  readonly counters = new RejectCounters();
  private client: ModbusClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private sink: AdapterSink | undefined;
  private stopped = true;

  constructor(private readonly options: ModbusAdapterOptions) {}

  /** Connects (rejecting when the meter is unreachable at start) and starts polling. */
  async start(sink: AdapterSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    await this.connect();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const ModbusRTU = await loadModbusRtu();
    const client = new ModbusRTU();
    client.on('error', () => undefined); // surfaced through the failing request instead
    await client.connectTCP(this.options.host, { port: this.options.port ?? 502 });
    client.setID(this.options.unitId ?? 1);
    client.setTimeout(this.options.timeoutMs ?? 1000);
    this.client = client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) {
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, 1000);
        client.close(() => {
          clearTimeout(guard);
          resolve();
        });
      });
    }
  }

  private reject(reason: FrameRejectReason, detail: string): void {
    if (!this.stopped) {
      this.counters.add(reason);
      this.sink?.reject(reason, detail);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.poll().finally(() => {
        this.running = undefined;
        this.schedule(Math.max(0, (this.options.pollIntervalMs ?? 10_000) - (Date.now() - started)));
      });
    }, delayMs);
  }

  private async poll(): Promise<void> {
    if (!this.client?.isOpen) {
      await this.disconnect();
      try {
        await this.connect();
      } catch (error) {
        return this.reject('timeout', `cannot reach ${this.options.host}: ${(error as Error).message}`);
      }
    }
    const map = this.options.map ?? SDM630_MAP;
    const ts = (this.options.now ?? Date.now)();
    const blocks = new Map<number, readonly number[]>();
    for (const block of map.blocks) {
      try {
        const result = await this.client!.readInputRegisters(block.start, block.count);
        blocks.set(block.start, result.data);
      } catch (error) {
        const reason = classify(error);
        this.reject(
          reason,
          `read ${block.count} input registers at 0x${block.start.toString(16)}: ${(error as Error).message}`,
        );
        if (reason === 'timeout') {
          await this.disconnect(); // a late answer must not be taken for the next request's
        }
        return;
      }
    }
    const decoded = decodeRegisters(map, blocks);
    if (!decoded.ok) {
      return this.reject(decoded.error.reason, decoded.error.detail);
    }
    if (!this.stopped) {
      this.sink?.sample({ ts, metrics: decoded.value });
    }
  }
}
