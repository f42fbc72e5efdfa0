/**
 * Register maps of Modbus energy meters, and their decoding to the energy catalogue. Pure.
 *
 * The default is the Eastron SDM630 (v2) input-register map (function 04), every quantity an IEEE-754
 * float32 over two 16-bit registers, high word first. Addresses are 0-based protocol addresses (the data
 * sheet's 30001 is address 0):
 *
 * | address | SDM630 parameter                      | unit | catalogue metric                         |
 * |---------|---------------------------------------|------|------------------------------------------|
 * | 0x0000  | phase 1 line-to-neutral voltage       | V    | voltage_l1                               |
 * | 0x0002  | phase 2 line-to-neutral voltage       | V    | voltage_l2                               |
 * | 0x0004  | phase 3 line-to-neutral voltage       | V    | voltage_l3                               |
 * | 0x0006  | phase 1 current                       | A    | current_l1                               |
 * | 0x0008  | phase 2 current                       | A    | current_l2                               |
 * | 0x000A  | phase 3 current                       | A    | current_l3                               |
 * | 0x0034  | total system power (+import, -export) | W    | power_import = max(P,0), power_export = max(-P,0) |
 * | 0x0048  | total import active energy            | kWh  | energy_import_t1 (Wh; the meter has no tariffs)   |
 * | 0x004A  | total export active energy            | kWh  | energy_export_t1 (Wh)                    |
 */
import { accept, refuse, type FrameResult } from './frame-result.js';
import { roundTo } from './units.js';

export interface RegisterBlock {
  readonly start: number;
  readonly count: number;
}

export interface RegisterField {
  readonly address: number;
  readonly name: string;
  readonly unit: string;
  /** multiplies the float to the catalogue unit (kWh → Wh: 1000) */
  readonly scale: number;
  /** the quantity cannot be negative (voltages, currents, energy registers) */
  readonly nonNegative: boolean;
}

export interface RegisterMap {
  readonly name: string;
  readonly blocks: readonly RegisterBlock[];
  readonly fields: readonly RegisterField[];
}

export const SDM630_MAP: RegisterMap = {
  name: 'Eastron SDM630',
  blocks: [
    { start: 0x0000, count: 12 },
    { start: 0x0034, count: 2 },
    { start: 0x0048, count: 4 },
  ],
  fields: [
    { address: 0x0000, name: 'voltage_l1', unit: 'V', scale: 1, nonNegative: true },
    { address: 0x0002, name: 'voltage_l2', unit: 'V', scale: 1, nonNegative: true },
    { address: 0x0004, name: 'voltage_l3', unit: 'V', scale: 1, nonNegative: true },
    { address: 0x0006, name: 'current_l1', unit: 'A', scale: 1, nonNegative: true },
    { address: 0x0008, name: 'current_l2', unit: 'A', scale: 1, nonNegative: true },
    { address: 0x000a, name: 'current_l3', unit: 'A', scale: 1, nonNegative: true },
    { address: 0x0034, name: 'total_power', unit: 'W', scale: 1, nonNegative: false },
    { address: 0x0048, name: 'energy_import_t1', unit: 'kWh', scale: 1000, nonNegative: true },
    { address: 0x004a, name: 'energy_export_t1', unit: 'kWh', scale: 1000, nonNegative: true },
  ],
};

const DECIMALS: Record<string, number> = { voltage: 1, current: 2, power: 0, energy: 0 };
const decimalsOf = (name: string): number => DECIMALS[name.split('_')[0]!] ?? 3;

/** float32 from two registers, high word first (the SDM/most meters' word order). */
export function registersToFloat(high: number, low: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint16(0, high);
  view.setUint16(2, low);
  return view.getFloat32(0);
}

export function floatToRegisters(value: number): [number, number] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return [view.getUint16(0), view.getUint16(2)];
}

/** Decodes the blocks read (start address → registers) into catalogue metrics. */
export function decodeRegisters(
  map: RegisterMap,
  blocks: ReadonlyMap<number, readonly number[]>,
): FrameResult<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const field of map.fields) {
    const block = map.blocks.find((b) => field.address >= b.start && field.address + 2 <= b.start + b.count);
    const words = block && blocks.get(block.start);
    const offset = block ? field.address - block.start : 0;
    if (!words || words.length < offset + 2) {
      return refuse('truncated', `register 0x${field.address.toString(16)} (${field.name}) not read`);
    }
    const value = registersToFloat(words[offset]!, words[offset + 1]!);
    if (!Number.isFinite(value)) {
      return refuse('impossible_value', `${field.name} is ${value}`);
    }
    if (field.nonNegative && value < 0) {
      return refuse('impossible_value', `${field.name} = ${value} ${field.unit} cannot be negative`);
    }
    if (field.name === 'total_power') {
      metrics.power_import = roundTo(Math.max(value, 0), 0);
      metrics.power_export = roundTo(Math.max(-value, 0), 0);
    } else {
      metrics[field.name] = roundTo(value * field.scale, decimalsOf(field.name));
    }
  }
  return accept(metrics);
}

/** Encodes catalogue values into the map's register image (what a meter serves); used by the emulator. */
export function encodeRegisters(map: RegisterMap, metrics: Readonly<Record<string, number>>): Map<number, number> {
  const image = new Map<number, number>();
  for (const field of map.fields) {
    const value =
      field.name === 'total_power'
        ? (metrics.power_import ?? 0) - (metrics.power_export ?? 0)
        : (metrics[field.name] ?? 0) / field.scale;
    const [high, low] = floatToRegisters(value);
    image.set(field.address, high);
    image.set(field.address + 1, low);
  }
  return image;
}
