import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deviceId } from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitForPort } from '../../test/setup/ports.js';
import { ecowittForm } from '../src/simulation/ecowitt.encoder.js';
import { ReadingsSubscriber } from './helpers.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const cli = path.join(repo, 'firmware-bridge/bin/gt-bridge.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-cli-'));

beforeAll(() => {
  execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-b', 'firmware-bridge'], {
    cwd: repo,
    stdio: 'inherit',
  });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gtBridge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const PASSKEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';

describe('gt-bridge keygen / run / status (compiled CLI, real Mosquitto, Ecowitt protocol over HTTP)', () => {
  it('a hardware owner creates a key, runs the bridge, and reads its counters', async () => {
    // Given a new device key (mode 0600, never overwritten)
    const keyFile = path.join(dir, 'device.key');
    const keygen = await gtBridge('keygen', '--out', keyFile);
    expect(keygen.code).toBe(0);
    const device = deviceId(keygen.stdout.trim());
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await gtBridge('keygen', '--out', keyFile);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('KEY_EXISTS');

    // and a config for an Ecowitt gateway pushing to the bridge
    const port = await freePort();
    const metricsPort = await freePort();
    const config = path.join(dir, 'bridge.json');
    writeFileSync(
      config,
      JSON.stringify({
        keyFile: 'device.key',
        dataDir: 'data',
        adapter: { type: 'ecowitt', listen: { host: '127.0.0.1', port }, passkey: PASSKEY },
        mqtt: { url: inject('mqttUrl') },
        batch: { maxReadings: 5, maxAgeMs: 50 },
        signer: 'node',
        statusIntervalMs: 200,
        metrics: { listen: { port: metricsPort } },
        log: { level: 'warn' },
      }),
    );
    const subscriber = new ReadingsSubscriber(inject('mqttUrl'), device);
    await subscriber.start();

    // When the bridge runs and the gateway posts 30 readings, one with a wrong passkey and one unreadable
    const bridge = spawn(process.execPath, [cli, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    bridge.stdout.on('data', (c: Buffer) => (output += c));
    bridge.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((resolve) => bridge.once('exit', resolve));
    await waitForPort(port, { abort: () => (bridge.exitCode === null ? undefined : `bridge exited: ${output}`) });
    const post = (body: string) =>
      fetch(`http://127.0.0.1:${port}/data/report/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const t0 = Date.UTC(2026, 0, 1, 12);
    for (let i = 0; i < 30; i++) {
      const metrics = { temperature: 10 + i / 10, humidity: 60, pressure: 101_000, wind_speed: 2, wind_direction: 180 };
      expect((await post(ecowittForm(metrics, t0 + i * 60_000, { passkey: PASSKEY }))).status).toBe(200);
    }
    expect((await post(ecowittForm({ temperature: 5 }, t0, { passkey: 'F'.repeat(32) }))).status).toBe(401);
    expect((await post(`PASSKEY=${PASSKEY}&dateutc=not-a-date&tempf=banana`)).status).toBe(400);
    await subscriber.waitForAll(0, 29);

    // and Prometheus scrapes the same counters from the running bridge
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('version=0.0.4');
      return response.text();
    };
    const series = (name: string) => `${name}{device="${device}",kind="weather"}`;
    let metrics = await scrape();
    for (let i = 0; i < 100 && !metrics.includes(`${series('gt_bridge_readings_acked_total')} 30\n`); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await scrape();
    }
    for (const line of [
      `${series('gt_bridge_samples_read_total')} 30`,
      `${series('gt_bridge_readings_published_total')} 30`,
      `${series('gt_bridge_readings_acked_total')} 30`,
      `${series('gt_bridge_queue_backlog_readings')} 0`,
      `${series('gt_bridge_connected')} 1`,
      `${series('gt_bridge_high_seq')} 29`,
    ]) {
      expect(metrics).toContain(`${line}\n`);
    }
    const rejected = [...metrics.matchAll(/^gt_bridge_samples_rejected_total\{[^}]*\} (\d+)$/gm)];
    expect(rejected.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(2);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(405);
    bridge.kill('SIGTERM');
    expect(await exited).toBe(0);
    await subscriber.stop();

    // Then the network got seq 0..29 exactly once, and `status` shows what happened
    expect(subscriber.seqs.size).toBe(30);
    expect(subscriber.duplicates).toBe(0);
    const status = await gtBridge('status', '--data-dir', path.join(dir, 'data'), '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed).toMatchObject({
      device,
      running: false,
      counters: { read: 30, queued: 30, published: 30, acked: 30, evicted: 0 },
      queue: { highSeq: 29, backlog: 0 },
    });
    expect(Object.values(parsed.counters.rejected as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2);
    const human = await gtBridge('status', '--data-dir', path.join(dir, 'data'));
    expect(human.stdout).toContain('acked 30');
    expect(human.stdout).toContain('next seq 30');
  });

  it('refuses a bad config naming the field, and a missing option with a usage error', async () => {
    const config = path.join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({
        keyFile: 'k',
        dataDir: 'd',
        adapter: { type: 'ecowitt' },
        mqtt: { url: 'http://x' },
        mode: 'fast',
      }),
    );
    const bad = await gtBridge('run', '--config', config);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BAD_CONFIG');
    expect(bad.stderr).toContain('mqtt.url');
    expect(bad.stderr).toContain('mode');
    const usage = await gtBridge('simulate', '--kind', 'weather');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--count');
    const faults = await gtBridge(
      'simulate',
      '--kind',
      'vehicle',
      '--count',
      '2',
      '--broker',
      'mqtt://127.0.0.1:1',
      '--faults',
      'indoor:1',
      '--data-dir',
      path.join(dir, 'sim'),
    );
    expect(faults.code).toBe(1);
    expect(faults.stderr).toContain('indoor does not apply to vehicle');
  });

  it('does not run a bridge nobody can watch: a taken metrics port fails the start, and the bridge it had started is stopped', async () => {
    const keyFile = path.join(dir, 'watched.key');
    expect((await gtBridge('keygen', '--out', keyFile)).code).toBe(0);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const metricsPort = (taken.address() as AddressInfo).port;
    const config = path.join(dir, 'watched.json');
    const dataDir = path.join(dir, 'watched-data');
    const write = (metrics: object) =>
      writeFileSync(
        config,
        JSON.stringify({
          keyFile: 'watched.key',
          dataDir: 'watched-data',
          adapter: { type: 'ecowitt', listen: { host: '127.0.0.1', port: 0 }, passkey: PASSKEY },
          mqtt: { url: inject('mqttUrl') },
          metrics,
          log: { level: 'warn' },
        }),
      );
    try {
      write({ listen: { host: '127.0.0.1', port: metricsPort } });
      const refused = await gtBridge('run', '--config', config);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `METRICS_LISTEN_FAILED: cannot serve /metrics on 127.0.0.1:${metricsPort}: EADDRINUSE`,
      );
      // the bridge it had started was stopped again: its queue is not left locked
      const status = await gtBridge('status', '--data-dir', dataDir, '--json');
      expect(JSON.parse(status.stdout)).toMatchObject({ running: false });
      write({ listen: { port: 70_000 } });
      const bad = await gtBridge('run', '--config', config);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('metrics.listen.port');
    } finally {
      taken.close();
    }
  });

  it('simulate --metrics-port serves one series per simulated device', async () => {
    const metricsPort = await freePort();
    const sim = spawn(
      process.execPath,
      [
        cli,
        'simulate',
        '--kind',
        'weather',
        '--count',
        '3',
        '--seed',
        'metrics',
        '--interval',
        '0.05',
        '--broker',
        inject('mqttUrl'),
        '--data-dir',
        path.join(dir, 'sim-metrics'),
        '--metrics-port',
        String(metricsPort),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    sim.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((resolve) => sim.once('exit', resolve));
    try {
      await waitForPort(metricsPort, {
        abort: () => (sim.exitCode === null ? undefined : `simulate exited: ${output}`),
      });
      const acked = new Map<string, number>();
      for (let i = 0; i < 200 && (acked.size < 3 || [...acked.values()].some((n) => n === 0)); i++) {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        for (const m of text.matchAll(/^gt_bridge_readings_acked_total\{device="(\w+)",kind="weather"\} (\d+)$/gm)) {
          acked.set(m[1]!, Number(m[2]));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(acked.size).toBe(3);
      expect([...acked.values()].every((n) => n > 0)).toBe(true);
      expect(output).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
    } finally {
      sim.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
