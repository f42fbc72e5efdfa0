import { regular } from '../harness.js';
import type { PlainReading } from '../series.js';

/** A meter reading every minute with import power `power(i)` W and registers that integrate it exactly. */
export function meter(
  count: number,
  power: (i: number) => number,
  extra: (i: number) => Record<string, number> = () => ({}),
): PlainReading[] {
  let wh = 1_000_000;
  const registers: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      wh += (power(i - 1) + power(i)) / 2 / 60;
    }
    registers.push(wh);
  }
  return regular(count, (i) => ({
    power_import: power(i),
    power_export: 0,
    energy_import_t1: registers[i]!,
    energy_export_t1: 50_000,
    voltage_l1: 230 + (i % 3),
    ...extra(i),
  }));
}
