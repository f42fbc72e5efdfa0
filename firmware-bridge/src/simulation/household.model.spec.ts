import { describe, expect, it } from 'vitest';
import { sunPosition } from './sun-position.js';
import { HouseholdModel, type HouseholdState } from './household.model.js';

const UTRECHT = { lat: 52.09, lon: 5.12 };
const START = Date.UTC(2024, 5, 17);
const STEP = 10_000;

function run(model: HouseholdModel, hours: number, every = STEP): HouseholdState[] {
  return Array.from({ length: (hours * 3_600_000) / every + 1 }, (_, i) => model.advanceTo(START + i * every));
}
const imported = (s: HouseholdState) => s.energy_import_t1 + s.energy_import_t2;
const exported = (s: HouseholdState) => s.energy_export_t1 + s.energy_export_t2;

describe('HouseholdModel', () => {
  const home = new HouseholdModel(5, UTRECHT, START, { pvPeakW: 4000, phases: 3 });
  const days = run(home, 72);

  it('grows the registers by ∫ power dt, never backwards', () => {
    let importWh = 0;
    let exportWh = 0;
    let backwards = 0;
    for (let i = 1; i < days.length; i++) {
      backwards += imported(days[i]!) < imported(days[i - 1]!) || exported(days[i]!) < exported(days[i - 1]!) ? 1 : 0;
      importWh += (days[i - 1]!.power_import * STEP) / 3_600_000;
      exportWh += (days[i - 1]!.power_export * STEP) / 3_600_000;
    }
    expect(backwards).toBe(0);
    expect(imported(days.at(-1)!) - imported(days[0]!)).toBeCloseTo(importWh, 6);
    expect(exported(days.at(-1)!) - exported(days[0]!)).toBeCloseTo(exportWh, 6);
    expect(importWh / 3000).toBeGreaterThan(2); // kWh per day: a plausible household
    expect(importWh / 3000).toBeLessThan(15);
  });

  it('exports PV around midday and never at night', () => {
    const night = days.filter((s) => sunPosition(s.ts, UTRECHT.lat, UTRECHT.lon).elevationDeg <= 0);
    expect(night.length).toBeGreaterThan(1000);
    expect(night.filter((s) => s.pv !== 0 || s.power_export !== 0)).toEqual([]);
    expect(days.filter((s) => s.power_import !== 0 && s.power_export !== 0)).toEqual([]);
    const noon = days.filter((s) => new Date(s.ts).getUTCHours() === 11);
    expect(Math.max(...noon.map((s) => s.power_export))).toBeGreaterThan(1000);
  });

  it('keeps voltages at 230 V ± 2 % and currents at |phase power| / voltage', () => {
    const voltages = days.flatMap((s) => [s.voltage_l1, s.voltage_l2, s.voltage_l3]);
    expect(Math.min(...voltages)).toBeGreaterThanOrEqual(225.4);
    expect(Math.max(...voltages)).toBeLessThanOrEqual(234.6);
    const short = days.filter((s) => {
      const carried = s.current_l1 * s.voltage_l1 + s.current_l2 * s.voltage_l2 + s.current_l3 * s.voltage_l3;
      return carried + 1e-6 < Math.abs(s.power_import - s.power_export);
    });
    expect(short).toEqual([]);
    const single = run(new HouseholdModel(5, UTRECHT, START, { pvPeakW: 0, phases: 1 }), 6, 60_000);
    for (const s of single) {
      expect(s.current_l1 * s.voltage_l1).toBeCloseTo(s.power_import, 6);
      expect([s.voltage_l2, s.current_l2]).toEqual([0, 0]);
    }
  });

  it('books night and weekend energy on the low tariff T1', () => {
    const saturday = Date.UTC(2024, 5, 22, 12);
    expect(home.advanceTo(saturday).tariff).toBe(1);
    const tuesdayNight = new HouseholdModel(5, UTRECHT, Date.UTC(2024, 5, 18, 1)).advanceTo(Date.UTC(2024, 5, 18, 2));
    expect(tuesdayNight.tariff).toBe(1);
    expect(new HouseholdModel(5, UTRECHT, START).advanceTo(Date.UTC(2024, 5, 18, 10)).tariff).toBe(2);
  });

  it('is reproducible from its seed', () => {
    const again = run(new HouseholdModel(5, UTRECHT, START, { pvPeakW: 4000, phases: 3 }), 72, 3_600_000);
    expect(again.map(imported)).toEqual(days.filter((_, i) => i % 360 === 0).map(imported));
    expect(new HouseholdModel(6, UTRECHT, START).advanceTo(START).energy_import_t1).not.toBe(days[0]!.energy_import_t1);
  });
});
