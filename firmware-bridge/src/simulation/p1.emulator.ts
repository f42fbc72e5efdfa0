/**
 * An emulated smart meter's P1 port: every `intervalMs` of simulated time (1 s for DSMR 5) it writes a DSMR 5
 * telegram with a valid CRC, from the household model through the signal faults, to every attached stream.
 */
import type { ByteStream } from '../adapters/byte-stream.js';
import type { SimClock } from './clock.js';
import { dsmr5Telegram } from './dsmr.encoder.js';
import type { HouseholdModel } from './household.model.js';
import type { SignalFaultInjector } from './signal-faults.js';

export interface MeterSourceOptions {
  readonly model: HouseholdModel;
  readonly faults: SignalFaultInjector;
  readonly clock: SimClock;
}

/** What the meter measures at ts (faults applied), or undefined during a dropout. Shared by P1 and Modbus. */
export function measureHousehold(options: MeterSourceOptions, ts: number): Record<string, number> | undefined {
  const s = options.model.advanceTo(ts); // registers integrate even while the meter is silent
  if (options.faults.isDropped(ts)) {
    return undefined;
  }
  const truth: Record<string, number> = {
    energy_import_t1: s.energy_import_t1,
    energy_import_t2: s.energy_import_t2,
    energy_export_t1: s.energy_export_t1,
    energy_export_t2: s.energy_export_t2,
    power_import: s.power_import,
    power_export: s.power_export,
    voltage_l1: s.voltage_l1,
    current_l1: s.current_l1,
  };
  if (s.phases === 3) {
    Object.assign(truth, {
      voltage_l2: s.voltage_l2,
      voltage_l3: s.voltage_l3,
      current_l2: s.current_l2,
      current_l3: s.current_l3,
    });
  }
  return options.faults.metrics(ts, truth);
}

export interface P1EmulatorOptions extends MeterSourceOptions {
  readonly intervalMs: number;
  readonly equipmentId?: string;
}

export class P1MeterEmulator {
  private readonly streams = new Set<ByteStream>();
  private cancel: (() => void) | undefined;

  constructor(private readonly options: P1EmulatorOptions) {}

  /** The telegram the meter sends at ts, or undefined during a dropout. */
  telegram(ts: number): string | undefined {
    const metrics = measureHousehold(this.options, ts);
    if (!metrics) {
      return undefined;
    }
    const state = this.options.model.advanceTo(ts);
    return dsmr5Telegram(metrics, ts, {
      phases: state.phases,
      tariff: state.tariff,
      equipmentId: this.options.equipmentId,
    });
  }

  attach(stream: ByteStream): void {
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    this.cancel ??= this.options.clock.every(this.options.intervalMs, () => this.emit());
  }

  private emit(): void {
    if (this.streams.size === 0) {
      return;
    }
    const text = this.telegram(this.options.clock.now());
    if (text !== undefined) {
      for (const stream of this.streams) {
        stream.write(text);
      }
    }
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.streams.clear();
  }
}
