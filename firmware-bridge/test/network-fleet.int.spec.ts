import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair } from '@groundtruth/protocol';
import { createRegistryApp, registryConfigSchema } from '@groundtruth/registry';
import { migrate, parseConfig, silentLogger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, dropDatabase } from '../../test/setup/services.js';
import { NetworkFleet, type DeviceTruth } from '../src/fleet/network-fleet.js';
import { FleetSubscriber, waitFor } from './helpers.js';

// The embedded network's use of the bridge, end to end on real services: a registry (real signed registration
// flow, its own database), the private Mosquitto spoken to in MQTT 3.1.1 like the embedded Aedes, and a fleet of
// the three kinds with faulty devices, stopped and started again on the same data directory.
let registry: INestApplication;
let registryUrl: string;
let databaseUrl: string;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-netfleet-'));

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'firmware-bridge/bin/gt-bridge.js');

beforeAll(async () => {
  // the `register` test runs the compiled CLI, as a hardware owner does
  execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-b', 'firmware-bridge'], {
    cwd: repo,
    stdio: 'inherit',
  });
  databaseUrl = await createDatabase(inject('databaseUrl'));
  await migrate(databaseUrl, { log: () => {} });
  const config = parseConfig(registryConfigSchema, { DATABASE_URL: databaseUrl });
  registry = await createRegistryApp(config, { logger: silentLogger, metricsRegistry: new Registry() });
  await registry.listen(0, '127.0.0.1');
  registryUrl = `http://127.0.0.1:${(registry.getHttpServer().address() as AddressInfo).port}`;
});
afterAll(async () => {
  await registry?.close();
  await dropDatabase(databaseUrl);
  rmSync(dataDir, { recursive: true, force: true });
});

const options = () => ({
  dataDir,
  seed: 'netfleet-test',
  counts: { weather: 3, vehicle: 2, energy: 2 },
  faulty: 4,
  readingsPerMinute: 300, // a reading every 200 ms per device
  mqtt: { url: inject('mqttUrl'), protocolVersion: 4 as const, backoff: { initialMs: 100, maxMs: 500 } },
  registry: { url: registryUrl, owners: 2 },
  bridge: { batch: { maxReadings: 5, maxAgeMs: 300 } },
});

/** Every seq 0..max of each device arrived: no gap (a reused seq would show as a differing duplicate). */
function assertContiguous(subscriber: FleetSubscriber, devices: readonly DeviceTruth[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const truth of devices) {
    const seqs = subscriber.seqsOf(truth.device);
    expect(seqs.length, `${truth.kind} ${truth.device} ${truth.faults.join(',')}`).toBeGreaterThan(0);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    last.set(truth.device, seqs.at(-1)!);
  }
  return last;
}

describe('NetworkFleet: three kinds, registered, MQTT 3.1.1, restart on the same data dir', () => {
  it('registers every device, publishes through the real bridge, labels the faulty ones, and resumes seqs', async () => {
    // Given a subscriber to every device's readings
    const subscriber = new FleetSubscriber(inject('mqttUrl'), 4);
    await subscriber.start();

    // When the fleet starts
    const first = await NetworkFleet.start(options());
    const truth = first.groundTruth();

    // Then it has the asked devices, 4 of them faulty (round-robin over the kinds), each with a check to flag it
    expect(truth.filter((d) => d.kind === 'weather')).toHaveLength(3);
    expect(truth.filter((d) => d.kind === 'vehicle')).toHaveLength(2);
    expect(truth.filter((d) => d.kind === 'energy')).toHaveLength(2);
    const faulty = truth.filter((d) => d.faults.length > 0);
    expect(faulty.map((d) => `${d.kind}:${d.faults.join('+')}`).sort()).toEqual([
      'energy:stuck',
      'vehicle:gps_teleport',
      'weather:bad_signature',
      'weather:stuck',
    ]);
    const checksOf = (d: DeviceTruth) => d.expected.flatMap((e) => e.checks);
    expect(faulty.map((d) => `${d.kind}:${checksOf(d).join('+')}`).sort()).toEqual([
      'energy:stuck',
      'vehicle:teleport',
      'weather:integrity',
      'weather:stuck',
    ]);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'network-fleet.json'), 'utf8')).devices).toHaveLength(7);

    // and every device is registered to its owner in the registry
    for (const d of truth) {
      const response = await fetch(`${registryUrl}/devices/${d.device}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ device: d.device, kind: d.kind, owner: d.owner });
    }
    expect(new Set(truth.map((d) => d.owner)).size).toBe(2);

    // and readings of every device arrive through the broker
    await waitFor(
      () => truth.every((d) => subscriber.seqsOf(d.device).length >= 5),
      60_000,
      () => truth.map((d) => `${d.kind}=${subscriber.seqsOf(d.device).length}`).join(' '),
    );

    // When it stops cleanly (flushing and draining) and starts again from the same data dir and seed
    await first.stop();
    const beforeRestart = assertContiguous(subscriber, truth);
    const second = await NetworkFleet.start(options());
    expect(second.groundTruth().map((d) => d.device)).toEqual(truth.map((d) => d.device)); // same devices, 409s fine
    await waitFor(
      () => truth.every((d) => (subscriber.seqsOf(d.device).at(-1) ?? -1) >= beforeRestart.get(d.device)! + 5),
      60_000,
      () => truth.map((d) => `${d.kind}=${subscriber.seqsOf(d.device).at(-1)}`).join(' '),
    );
    await second.stop();

    // Then each device's seqs continue where they stopped: 0..last with no gap and no seq reused for other content
    const afterRestart = assertContiguous(subscriber, truth);
    for (const d of truth) {
      expect(afterRestart.get(d.device)!).toBeGreaterThan(beforeRestart.get(d.device)!);
    }
    expect(subscriber.differingDuplicates).toBe(0);
    expect(second.totals().backlog).toBe(0);
    await subscriber.stop();
  });
});

describe('gt-bridge register (compiled CLI) against the real registry', () => {
  const run = promisify(execFile);
  async function gtBridge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('signs with the device key and the owner wallet keypair file, submits, and is refused a second time', async () => {
    // Given a device key and an owner wallet keypair file (Solana CLI format: 64 numbers, seed then public key)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-register-'));
    const keyFile = path.join(dir, 'device.key');
    const device = (await gtBridge('keygen', '--out', keyFile)).stdout.trim();
    const owner = generateKeyPair();
    const ownerFile = path.join(dir, 'owner.json');
    writeFileSync(ownerFile, JSON.stringify([...owner.secretKey]));
    const args = ['register', '--key', keyFile, '--owner-keypair', ownerFile, '--kind', 'energy'];
    const declared = [...args, '--model', 'Landis+Gyr E350', '--interval', '10', '--lat', '52.1', '--lon', '5.1'];

    // When the owner registers it with the registry
    const registered = await gtBridge(...declared, '--api', registryUrl);

    // Then the registry holds the device, bound to the owner's wallet, with what was declared
    expect(registered.code, registered.stderr).toBe(0);
    const view = await (await fetch(`${registryUrl}/devices/${device}`)).json();
    expect(view).toMatchObject({
      device,
      owner: owner.deviceId,
      kind: 'energy',
      model: 'Landis+Gyr E350',
      interval_s: 10,
      location: { lat: 52.1, lon: 5.1 },
      status: 'active',
    });
    // and registering again is refused with the registry's reason, as a typed error
    const again = await gtBridge(...declared, '--api', registryUrl);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('REGISTRATION_REFUSED');
    expect(again.stderr).toContain('409');
    rmSync(dir, { recursive: true, force: true });
  });
});
