/**
 * The metric catalogue: what each hardware kind reports, in SI (or SI-accepted) units, with the physical
 * range the quantity can take on Earth and the resolution real hardware reports it with.
 *
 * A value outside its range is still a valid reading on the wire; quality scoring flags it. Names are part
 * of protocol v1: a name is never renamed or given another unit; new metrics may be added.
 */
export const HARDWARE_KINDS = ['weather', 'vehicle', 'energy'] as const;
export type HardwareKind = (typeof HARDWARE_KINDS)[number];

export function isHardwareKind(value: unknown): value is HardwareKind {
  return typeof value === 'string' && (HARDWARE_KINDS as readonly string[]).includes(value);
}

export interface MetricSpec {
  readonly name: string;
  /** UCUM-style unit code: `Cel`, `%`, `Pa`, `m/s`, `deg`, `mm/h`, `W/m2`, `1/min`, `m`, `Wh`, `W`, `V`, `A`. */
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly resolution: number;
  readonly description: string;
}

const m = (name: string, unit: string, min: number, max: number, resolution: number, description: string) =>
  ({ name, unit, min, max, resolution, description }) as const satisfies MetricSpec;

export const METRIC_CATALOGUE = {
  weather: [
    m('temperature', 'Cel', -90, 60, 0.1, 'air temperature (records: -89.2 to 56.7 °C)'),
    m('humidity', '%', 0, 100, 1, 'relative humidity'),
    m('dew_point', 'Cel', -90, 40, 0.1, 'dew point temperature'),
    m('pressure', 'Pa', 30000, 110000, 10, 'station (absolute) barometric pressure'),
    m('wind_speed', 'm/s', 0, 113, 0.1, 'mean wind speed'),
    m('wind_gust', 'm/s', 0, 113, 0.1, 'wind gust'),
    m('wind_direction', 'deg', 0, 360, 1, 'direction the wind comes from, clockwise from north'),
    m('rain_rate', 'mm/h', 0, 1000, 0.1, 'precipitation intensity'),
    m('rain_daily', 'mm', 0, 2000, 0.1, 'precipitation since local midnight'),
    m('solar_irradiance', 'W/m2', 0, 1500, 0.1, 'global horizontal irradiance'),
    m('uv_index', '1', 0, 45, 0.1, 'UV index'),
  ],
  vehicle: [
    m('speed', 'm/s', 0, 120, 0.2777, 'vehicle speed (OBD-II PID 0x0D, 1 km/h resolution)'),
    m('rpm', '1/min', 0, 16384, 0.25, 'engine speed (PID 0x0C)'),
    m('coolant_temperature', 'Cel', -40, 215, 1, 'engine coolant temperature (PID 0x05)'),
    m('fuel_level', '%', 0, 100, 0.392, 'fuel tank level input (PID 0x2F)'),
    m('engine_load', '%', 0, 100, 0.392, 'calculated engine load (PID 0x04)'),
    m('odometer', 'm', 0, 429496729.5 * 1000, 100, 'odometer (PID 0xA6, 0.1 km resolution)'),
    m('gnss_fix', '1', 0, 8, 1, 'GNSS fix quality (NMEA GGA field 6: 0 none, 1 GPS, 2 DGPS, 4 RTK, ...)'),
  ],
  energy: [
    m('energy_import_t1', 'Wh', 0, 1e12, 1, 'delivered to client, tariff 1 (OBIS 1-0:1.8.1)'),
    m('energy_import_t2', 'Wh', 0, 1e12, 1, 'delivered to client, tariff 2 (OBIS 1-0:1.8.2)'),
    m('energy_export_t1', 'Wh', 0, 1e12, 1, 'delivered by client, tariff 1 (OBIS 1-0:2.8.1)'),
    m('energy_export_t2', 'Wh', 0, 1e12, 1, 'delivered by client, tariff 2 (OBIS 1-0:2.8.2)'),
    m('power_import', 'W', 0, 1e6, 1, 'actual power delivered (OBIS 1-0:1.7.0)'),
    m('power_export', 'W', 0, 1e6, 1, 'actual power received (OBIS 1-0:2.7.0)'),
    m('voltage_l1', 'V', 0, 500, 0.1, 'instantaneous voltage L1 (OBIS 1-0:32.7.0)'),
    m('voltage_l2', 'V', 0, 500, 0.1, 'instantaneous voltage L2 (OBIS 1-0:52.7.0)'),
    m('voltage_l3', 'V', 0, 500, 0.1, 'instantaneous voltage L3 (OBIS 1-0:72.7.0)'),
    m('current_l1', 'A', 0, 1000, 1, 'instantaneous current L1 (OBIS 1-0:31.7.0)'),
    m('current_l2', 'A', 0, 1000, 1, 'instantaneous current L2 (OBIS 1-0:51.7.0)'),
    m('current_l3', 'A', 0, 1000, 1, 'instantaneous current L3 (OBIS 1-0:71.7.0)'),
  ],
} as const satisfies Record<HardwareKind, readonly MetricSpec[]>;

export type MetricName<K extends HardwareKind = HardwareKind> = (typeof METRIC_CATALOGUE)[K][number]['name'];

const specIndex: ReadonlyMap<HardwareKind, ReadonlyMap<string, MetricSpec>> = new Map(
  HARDWARE_KINDS.map((kind) => [kind, new Map(METRIC_CATALOGUE[kind].map((spec) => [spec.name, spec]))]),
);

/** The spec of a metric of a kind, or undefined when the kind does not report it. */
export function metricSpec(kind: HardwareKind, name: string): MetricSpec | undefined {
  return specIndex.get(kind)!.get(name);
}

export function metricNames(kind: HardwareKind): readonly string[] {
  return METRIC_CATALOGUE[kind].map((spec) => spec.name);
}

/** Whether a value lies within the metric's physical range (the first check quality scoring makes). */
export function inPhysicalRange(spec: MetricSpec, value: number): boolean {
  return value >= spec.min && value <= spec.max;
}
