import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { EcowittAdapter } from '../src/adapters/ecowitt.adapter.js';
import { EcowittServer } from '../src/adapters/ecowitt.server.js';
import { createSimClock } from '../src/simulation/clock.js';
import { SignalFaultInjector } from '../src/simulation/signal-faults.js';
import { createSimulatedDevice, simulatedPasskey } from '../src/simulation/simulated-device.js';
import { SimulationHub } from '../src/simulation/simulation-hub.js';
import { WeatherStationEmulator } from '../src/simulation/weather.emulator.js';
import { WeatherModel } from '../src/simulation/weather.model.js';
import { collectingSink, fixture } from './fixtures.js';

const LYON = { lat: 45.76, lon: 4.84, alt: 170 };
const START = Date.UTC(2024, 6, 1, 10);
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) {
    await fn();
  }
});

function post(port: number, path: string, body: string, type = 'application/x-www-form-urlencoded') {
  return httpCall(port, 'POST', path, body, type);
}
function httpCall(
  port: number,
  method: string,
  path: string,
  body?: string,
  type?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: type ? { 'content-type': type } : {} },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Ecowitt / WU adapter against an emulated gateway over HTTP', () => {
  it('receives Ecowitt pushes and delivers SI readings equal to what the station measured', async () => {
    // Given an adapter listening like a "customized server" and a gateway emulator pushing to it
    const clock = createSimClock({ startMs: START, speed: 600 });
    const adapter = new EcowittAdapter({
      listen: { host: '127.0.0.1', port: 0 },
      passkey: simulatedPasskey(1),
      altitudeM: LYON.alt,
      now: clock.now,
    });
    const { samples, rejects, sink, until } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());
    const model = new WeatherModel(1, LYON);
    const faults = new SignalFaultInjector('weather', [], 1, START);
    const gateway = new WeatherStationEmulator({
      baseUrl: `http://127.0.0.1:${adapter.port}`,
      protocol: 'ecowitt',
      passkey: simulatedPasskey(1),
      model,
      faults,
      clock,
      intervalMs: 60_000,
    });
    // When it pushes a few times
    gateway.start();
    cleanup.push(async () => gateway.stop());
    await until(() => samples.length >= 5);
    // Then each reading is the model's state at the push time, in SI units, at the firmware's resolution
    expect(rejects).toEqual([]);
    for (const sample of samples) {
      expect(sample.ts % 1000).toBe(0); // dateutc has second resolution
      const truth = model.at(sample.ts);
      expect(Math.abs(sample.metrics.temperature! - truth.temperature)).toBeLessThan(0.1);
      expect(Math.abs(sample.metrics.humidity! - truth.humidity)).toBeLessThanOrEqual(1.01);
      expect(Math.abs(sample.metrics.pressure! - truth.pressure)).toBeLessThan(5);
      expect(Math.abs(sample.metrics.wind_speed! - truth.wind_speed)).toBeLessThan(0.05);
      expect(Math.abs(sample.metrics.solar_irradiance! - truth.solar_irradiance)).toBeLessThan(0.01);
      expect(sample.metrics.dew_point!).toBeLessThanOrEqual(sample.metrics.temperature!);
    }
    expect(gateway.stats).toMatchObject({ failed: 0, lastStatus: 200 });
  });

  it('routes a thousand-station-style fleet by PASSKEY / station ID on one shared port', async () => {
    // Given 20 simulated stations (half Ecowitt, half WU) on one hub
    const hub = new SimulationHub();
    cleanup.push(() => hub.close());
    const clock = createSimClock({ startMs: START, speed: 600 });
    const stations = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const device = await createSimulatedDevice({
          kind: 'weather',
          seed: `st-${i}`,
          location: { lat: 45 + i * 0.01, lon: 4.8, alt: 200 },
          intervalMs: 60_000,
          clock,
          hub,
          protocol: i % 2 === 0 ? 'ecowitt' : 'wunderground',
        });
        const collected = collectingSink();
        await device.start();
        await device.adapter.start(collected.sink);
        cleanup.push(async () => (await device.adapter.stop(), await device.stop()));
        return { device, ...collected };
      }),
    );
    // When they push for a while
    await Promise.all(stations.map((s) => s.until(() => s.samples.length >= 3)));
    // Then every station received only its own readings (latitudes differ, so temperatures differ slightly)
    const server = await hub.weatherServer();
    expect(server.counters.snapshot()).toEqual({});
    for (const s of stations) {
      expect(s.rejects).toEqual([]);
      const model = new WeatherModel(0, s.device.location); // a different station seed: only the shared fields agree
      expect(Math.abs(s.samples[0]!.metrics.pressure! - model.at(s.samples[0]!.ts).pressure)).toBeLessThan(60);
    }
  });

  it('answers malformed requests with 4xx, counts each reason, and keeps serving', async () => {
    // Given a shared server with one station
    const server = new EcowittServer({ port: 0 });
    const port = await server.listen();
    cleanup.push(() => server.close());
    const adapter = new EcowittAdapter({
      server,
      passkey: '3A7F6C1E9B2D4F8A0C5E7B1D3F9A2C4E',
      stationId: 'IAMSTE123',
      password: 's3cretKEY',
    });
    const { samples, reasons, sink } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());
    const good = fixture('ecowitt/gw2000-ecowitt-post.txt').trim();
    // When good and bad requests arrive
    expect(await post(port, '/data/report/', good)).toEqual({ status: 200, text: 'OK' });
    expect((await post(port, '/data/report/', good.replace('tempf=71.6', 'tempf=hot'))).status).toBe(400);
    expect((await post(port, '/data/report/', good.replace('humidity=55', 'humidity=155'))).status).toBe(400);
    expect((await post(port, '/data/report/', good.replace('3A7F6C1E', 'FFFFFFFF'))).status).toBe(401);
    expect((await post(port, '/data/report/', '{"tempf":71}', 'application/json')).status).toBe(415);
    expect((await httpCall(port, 'GET', '/favicon.ico')).status).toBe(404);
    expect((await httpCall(port, 'PUT', '/data/report/', 'x')).status).toBe(405);
    const wu = fixture('ecowitt/ws2910-wunderground-get.txt');
    expect(await httpCall(port, 'GET', wu)).toEqual({ status: 200, text: 'success\n' });
    expect((await httpCall(port, 'GET', wu.replace('s3cretKEY', 'guess'))).status).toBe(401);
    expect(
      (await post(port, '/data/report/', `PASSKEY=3A7F6C1E9B2D4F8A0C5E7B1D3F9A2C4E&x=${'9'.repeat(20_000)}`)).status,
    ).toBe(413);
    // Then the two good pushes became readings and every refusal was counted under its reason
    expect(samples).toHaveLength(2);
    expect(reasons().sort()).toEqual(['bad_request', 'garbage', 'impossible_value', 'unknown_station']);
    expect(adapter.counters.snapshot()).toEqual({
      garbage: 1,
      impossible_value: 1,
      unknown_station: 1,
      bad_request: 1,
    });
    expect(server.counters.snapshot()).toEqual({ unknown_station: 1, bad_request: 3 });
    expect(await post(port, '/data/report/', good)).toEqual({ status: 200, text: 'OK' });
  });

  it('answers 503 (not OK) when the bridge cannot store the reading, and counts it as no bad frame', async () => {
    // Given a station whose bridge refuses samples (its queue cannot write to disk)
    const server = new EcowittServer({ port: 0 });
    const port = await server.listen();
    cleanup.push(() => server.close());
    const adapter = new EcowittAdapter({ server, passkey: '3A7F6C1E9B2D4F8A0C5E7B1D3F9A2C4E' });
    let storing = false;
    const offered: number[] = [];
    await adapter.start({
      sample: (sample) => (offered.push(sample.ts), storing),
      reject: () => undefined,
    });
    cleanup.push(() => adapter.stop());
    const good = fixture('ecowitt/gw2000-ecowitt-post.txt').trim();
    // When the gateway pushes, then pushes again once the bridge stores again
    const refused = await post(port, '/data/report/', good);
    storing = true;
    const accepted = await post(port, '/data/report/', good);
    // Then the first push was not acknowledged as delivered, and nothing was blamed on the request
    expect(refused.status).toBe(503);
    expect(accepted).toEqual({ status: 200, text: 'OK' });
    expect(offered).toHaveLength(2);
    expect(adapter.counters.snapshot()).toEqual({});
    expect(server.counters.snapshot()).toEqual({});
  });

  it('drops pushes during a dropout fault: the station is silent, nothing is refused', async () => {
    const clock = createSimClock({ startMs: START, speed: 3600 });
    const device = await createSimulatedDevice({
      kind: 'weather',
      seed: 'dropout',
      location: LYON,
      intervalMs: 60_000,
      clock,
      faults: ['dropout'],
    });
    const { samples, rejects, sink, until } = collectingSink();
    await device.start();
    await device.adapter.start(sink);
    cleanup.push(async () => (await device.adapter.stop(), await device.stop()));
    await until(() => samples.length >= 60, 20_000);
    const gaps = samples.slice(1).map((s, i) => s.ts - samples[i]!.ts);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(10 * 60_000);
    expect(rejects).toEqual([]);
  });
});
