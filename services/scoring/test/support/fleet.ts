import {
  canonicalizeReadingBody,
  keyPairFromSeed,
  metricNames,
  NodeCryptoSigner,
  type DeviceId,
  type HardwareKind,
  type ReadingBody,
} from '@groundtruth/protocol';
import type pg from 'pg';
import { clearSkyGhi, sunElevation } from '../../src/core/sun.js';
import type { PlainReading } from '../../src/core/series.js';

/** A registered test device with a real key (readings are signed like the bridge signs them). */
export interface TestDevice {
  readonly id: DeviceId;
  readonly signer: NodeCryptoSigner;
  readonly kind: HardwareKind;
  readonly lat: number;
  readonly lon: number;
  readonly alt: number;
  readonly intervalS: number;
}

export function testDevice(
  seed: number,
  kind: HardwareKind,
  place: { lat: number; lon: number; alt?: number },
  intervalS = 60,
): TestDevice {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(0, seed);
  bytes[31] = 0x5c;
  const keys = keyPairFromSeed(bytes);
  return {
    id: keys.deviceId,
    signer: new NodeCryptoSigner(keys),
    kind,
    lat: place.lat,
    lon: place.lon,
    alt: place.alt ?? 0,
    intervalS,
  };
}

export async function registerDevices(
  pool: pg.Pool,
  devices: readonly TestDevice[],
  registeredAt = '2026-01-01T00:00:00Z',
): Promise<void> {
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, model, declared_lat, declared_lon, declared_alt, interval_s, registered_at)
     SELECT d, k, 'owner', 'test', la, lo, al, i, $1 FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::int[])
       AS t(d, k, la, lo, al, i)`,
    [
      registeredAt,
      devices.map((d) => d.id),
      devices.map((d) => d.kind),
      devices.map((d) => d.lat),
      devices.map((d) => d.lon),
      devices.map((d) => d.alt),
      devices.map((d) => d.intervalS),
    ],
  );
}

/** Stores readings as the ingest does: typed metric columns plus the signed canonical body. */
export async function storeReadings(
  pool: pg.Pool,
  device: TestDevice,
  readings: readonly PlainReading[],
): Promise<void> {
  const metrics = metricNames(device.kind);
  for (let start = 0; start < readings.length; start += 2000) {
    const chunk = readings.slice(start, start + 2000);
    const bodies = chunk.map((r) => {
      const body: ReadingBody = {
        v: 1,
        device: device.id,
        kind: device.kind,
        seq: r.seq,
        ts: r.ts,
        ...(r.loc ? { loc: r.loc } : {}),
        metrics: r.metrics,
      };
      const text = canonicalizeReadingBody(body);
      return { text, sig: Buffer.from(device.signer.sign(Buffer.from(text))) };
    });
    const columns = [
      'device_id',
      'seq',
      'ts',
      'received_at',
      'lat',
      'lon',
      'alt',
      'hdop',
      'sats',
      ...metrics,
      'body',
      'sig',
      'qflags',
    ];
    const types = [
      'text',
      'bigint',
      'timestamptz',
      'timestamptz',
      'float8',
      'float8',
      'float8',
      'real',
      'smallint',
      ...metrics.map(() => 'float8'),
      'text',
      'bytea',
      'int',
    ];
    const values: unknown[][] = [
      chunk.map(() => device.id),
      chunk.map((r) => r.seq),
      chunk.map((r) => new Date(r.ts).toISOString()),
      chunk.map((r) => new Date(r.recv ?? r.ts + 2000).toISOString()),
      chunk.map((r) => r.loc?.lat ?? null),
      chunk.map((r) => r.loc?.lon ?? null),
      chunk.map((r) => r.loc?.alt ?? null),
      chunk.map((r) => r.loc?.hdop ?? null),
      chunk.map((r) => r.loc?.sats ?? null),
      ...metrics.map((name) => chunk.map((r) => r.metrics[name] ?? null)),
      bodies.map((b) => b.text),
      bodies.map((b) => b.sig),
      chunk.map((r) => r.qflags ?? 0),
    ];
    await pool.query(
      `INSERT INTO readings_${device.kind} (${columns.join(', ')})
       SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
      values,
    );
  }
}

/** Quarantine rows as the ingest writes them for refused messages of a device. */
export async function storeQuarantine(
  pool: pg.Pool,
  device: TestDevice,
  reason: string,
  receivedAt: readonly number[],
): Promise<void> {
  await pool.query(
    `INSERT INTO quarantine (received_at, reason, topic, device_id, payload, payload_bytes)
     SELECT t, $1, $2, $3, '\\x00'::bytea, 1 FROM unnest($4::timestamptz[]) AS t`,
    [reason, `gt/v1/${device.id}/readings`, device.id, receivedAt.map((ms) => new Date(ms).toISOString())],
  );
}

/** A small deterministic PRNG (mulberry32) for test weather. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plausible outdoor weather for a station, one reading every `intervalS` from `start` for `hours`: a diurnal
 * temperature cycle shared by the region (plus a station offset and noise), humidity from a dew point, pressure
 * reduced to the station's altitude, wind with gusts above the mean, irradiance under a partly clear sky.
 * Values are quantised like an Ecowitt gateway reports them.
 */
export function outdoorWeather(device: TestDevice, start: number, hours: number, seed: number): PlainReading[] {
  const rand = prng(seed);
  const offset = (rand() - 0.5) * 1.0;
  const out: PlainReading[] = [];
  const count = (hours * 3600) / device.intervalS;
  for (let i = 0; i < count; i++) {
    const ts = start + i * device.intervalS * 1000;
    const hourOfDay = ((ts / 3_600_000) % 24) + device.lon / 15;
    const temperature =
      12 - 0.0065 * device.alt + 5 * Math.cos((2 * Math.PI * (hourOfDay - 15)) / 24) + offset + (rand() - 0.5) * 0.3;
    const dew = 6 + 0.5 * Math.sin(ts / 7_200_000);
    const humidity = Math.min(
      99,
      Math.max(5, 100 * Math.exp((17.625 * dew) / (243.04 + dew) - (17.625 * temperature) / (243.04 + temperature))),
    );
    const elevation = sunElevation(ts, device.lat, device.lon);
    const wind = 3 + 2 * Math.sin(ts / 5_400_000) + rand();
    out.push({
      seq: i + 1,
      ts,
      recv: ts + 1500,
      metrics: {
        temperature: Math.round(temperature * 10) / 10,
        humidity: Math.round(humidity),
        dew_point: Math.round(dew * 10) / 10,
        pressure: Math.round(
          101_325 * (1 - 2.25577e-5 * device.alt) ** 5.25588 + 300 * Math.sin(ts / 40_000_000) + (rand() - 0.5) * 20,
        ),
        wind_speed: Math.round(wind * 10) / 10,
        wind_gust: Math.round((wind * 1.4 + 0.3) * 10) / 10,
        wind_direction: Math.round(200 + 40 * Math.sin(ts / 3_000_000) + rand() * 10),
        solar_irradiance: Math.round(clearSkyGhi(elevation) * (0.7 + 0.2 * rand()) * 100) / 100,
        rain_rate: 0,
      },
    });
  }
  return out;
}

/**
 * A car driving out and back along a parallel at 10–25 m/s (5-minute stops every hour), one reading a minute:
 * fixes, odometer (0.1 km), rpm and fuel consistent with the speed. `frozenGnss`: the position never moves.
 */
export function drivingCar(
  device: TestDevice,
  start: number,
  hours: number,
  options: { frozenGnss?: boolean } = {},
): PlainReading[] {
  const out: PlainReading[] = [];
  const metresPerLonDegree = 111_195 * Math.cos((device.lat * Math.PI) / 180);
  let x = 0;
  let direction = 1;
  let odometer = 84_000_000;
  let fuel = 80;
  let previous = 0;
  for (let i = 0; i < hours * 60; i++) {
    const ts = start + i * 60_000;
    const stopped = i % 60 >= 55;
    const speed = stopped ? 0 : Math.round((17 + 7 * Math.sin(i / 9) + 1.5 * Math.sin(i / 2.3)) * 3.6) / 3.6;
    if (i > 0) {
      const step = ((previous + speed) / 2) * 60;
      x += direction * step;
      odometer += step;
      fuel -= step / 700_000;
      if (Math.abs(x) > 20_000) {
        direction = -direction;
      }
    }
    previous = speed;
    const lon = options.frozenGnss ? device.lon : device.lon + x / metresPerLonDegree;
    out.push({
      seq: i + 1,
      ts,
      recv: ts + 900,
      loc: { lat: device.lat, lon: Math.round(lon * 1e6) / 1e6, alt: 4, hdop: 0.9, sats: 9 },
      metrics: {
        speed,
        rpm: speed > 0 ? Math.round(speed * 95 + 700) : 780,
        coolant_temperature: 88 + (i % 4),
        fuel_level: Math.round(fuel * 255) / 255,
        engine_load: speed > 0 ? 35 + (i % 7) : 20,
        odometer: Math.floor(odometer / 100) * 100,
        gnss_fix: 1,
      },
    });
  }
  return out;
}

/** A household meter, one reading a minute: load with a daily shape, registers integrating it exactly (1 Wh). */
export function householdMeter(device: TestDevice, start: number, hours: number, seed: number): PlainReading[] {
  const rand = prng(seed + 77);
  const out: PlainReading[] = [];
  let wh = 5_000_000 + seed * 1000;
  let previous = 0;
  for (let i = 0; i < hours * 60; i++) {
    const ts = start + i * 60_000;
    const hour = (ts / 3_600_000) % 24;
    const power = Math.round(250 + 400 * Math.max(0, Math.sin(((hour - 6) * Math.PI) / 12)) + 60 * rand());
    if (i > 0) {
      wh += ((previous + power) / 2) * (60 / 3600);
    }
    previous = power;
    out.push({
      seq: i + 1,
      ts,
      recv: ts + 700,
      metrics: {
        power_import: power,
        power_export: 0,
        energy_import_t1: Math.round(wh),
        energy_export_t1: 120_000 + seed,
        voltage_l1: Math.round((230 + 2 * Math.sin(ts / 5_000_000) + rand() - 0.5) * 10) / 10,
        current_l1: Math.round((power / 230) * 100) / 100,
      },
    });
  }
  return out;
}
