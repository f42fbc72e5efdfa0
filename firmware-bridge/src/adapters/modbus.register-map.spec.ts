import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/fixtures.js';
import {
  decodeRegisters,
  encodeRegisters,
  floatToRegisters,
  registersToFloat,
  SDM630_MAP,
} from './modbus.register-map.js';

interface Dump {
  blocks: Record<string, string[]>;
  expect: Record<string, number> & { reason?: string };
}
const load = (name: string) => {
  const dump = fixtureJson<Dump>(`modbus/${name}`);
  const blocks = new Map(
    Object.entries(dump.blocks).map(([start, words]) => [Number(start), words.map((w) => parseInt(w, 16))]),
  );
  return { blocks, expected: dump.expect };
};

describe('SDM630 input registers', () => {
  it('decodes a register dump of a meter exporting 1.5 kW', () => {
    const { blocks, expected } = load('sdm630-exporting.json');
    const result = decodeRegisters(SDM630_MAP, blocks);
    expect(result.ok && result.value).toEqual(expected);
  });

  it.each(['sdm630-nan-voltage.json', 'sdm630-negative-energy.json', 'sdm630-short-read.json'])(
    'refuses %s',
    (name) => {
      const { blocks, expected } = load(name);
      const result = decodeRegisters(SDM630_MAP, blocks);
      expect(!result.ok && result.error.reason).toBe(expected.reason);
    },
  );

  it('encodes what it decodes (the emulator serves the same map)', () => {
    const metrics = {
      voltage_l1: 230.2,
      voltage_l2: 231,
      voltage_l3: 229.5,
      current_l1: 3.5,
      current_l2: 0.25,
      current_l3: 1,
      power_import: 1234,
      power_export: 0,
      energy_import_t1: 1_234_567_891,
      energy_export_t1: 42_000,
    };
    const image = encodeRegisters(SDM630_MAP, metrics);
    const blocks = new Map(
      SDM630_MAP.blocks.map((b) => [b.start, Array.from({ length: b.count }, (_, i) => image.get(b.start + i)!)]),
    );
    const result = decodeRegisters(SDM630_MAP, blocks);
    expect(result.ok && result.value).toEqual({ ...metrics, energy_import_t1: 1_234_567_875 }); // float32: 7 digits (0.125 kWh steps here)
  });

  it('orders float words high first', () => {
    expect(floatToRegisters(230)).toEqual([0x4366, 0x0000]);
    expect(registersToFloat(0x4366, 0)).toBe(230);
  });
});
