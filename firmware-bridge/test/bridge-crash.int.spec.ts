import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readStatusFile } from '../src/core/bridge-counters.js';
import { simulatedDeviceKey } from '../src/fleet/simulated-fleet.js';
import { ReadingsSubscriber, waitFor } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const cli = path.join(repo, 'firmware-bridge/bin/gt-bridge.js');

// The compiled CLI is what a hardware owner runs: build it first.
beforeAll(() => {
  execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-b', 'firmware-bridge'], {
    cwd: repo,
    stdio: 'inherit',
  });
}, 180_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startBridgeProcess(url: string): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  let output = '';
  const child = spawn(
    process.execPath,
    [
      cli,
      'simulate',
      '--kind',
      'energy',
      '--count',
      '1',
      '--seed',
      'crash-test',
      '--interval',
      '0.02',
      '--batch-size',
      '5',
      '--batch-age',
      '30',
      '--broker',
      url,
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('bridge process killed with SIGKILL mid-stream (real Mosquitto, compiled CLI)', () => {
  it('resumes after a restart with no gap and no seq reused for another reading', async () => {
    // Given a subscriber to the device the simulator derives from its seed, and a running bridge process
    const device = simulatedDeviceKey('energy', 'crash-test', 0).deviceId;
    const subscriber = new ReadingsSubscriber(inject('mqttUrl'), device);
    await subscriber.start();
    const maxSeq = () => Math.max(-1, ...subscriber.seqs.keys()); // -1: none yet (the first seq is 0)
    const first = startBridgeProcess(inject('mqttUrl'));
    await waitFor(
      () => subscriber.seqs.size >= 150,
      30_000,
      () => `only ${subscriber.seqs.size} readings; ${first.output()}`,
    );

    // When the process is killed without warning mid-stream, then started again on the same data
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const seenBeforeCrash = maxSeq();
    const second = startBridgeProcess(inject('mqttUrl'));
    await waitFor(
      () => maxSeq() >= seenBeforeCrash + 150,
      30_000,
      () => `max seq ${maxSeq()}; ${second.output()}`,
    );
    second.child.kill('SIGTERM'); // a clean stop drains what it read
    expect(await second.exited).toBe(0);
    await sleep(500);
    await subscriber.stop();

    // Then every seq from 0 to the last arrived, and a seq that arrived twice carried the same signed reading
    const last = maxSeq();
    const status = readStatusFile(path.join(dataDir, 'devices', device, 'status.json'))!;
    console.info(
      `[SIGKILL] seqs 0..${last} (crash at ~${seenBeforeCrash}); duplicates=${subscriber.duplicates} ` +
        `(bridge resends=${subscriber.republished}, broker redeliveries=${subscriber.brokerRedeliveries}); status acked=${status.counters.acked}`,
    );
    expect(subscriber.missing(0, last)).toEqual([]);
    expect(subscriber.differingDuplicates).toBe(0);
    expect(subscriber.undecodable).toBe(0);
    // Resent after the crash: only what was in flight unacknowledged, at most the window (100 envelopes of 5).
    expect(subscriber.republished).toBeLessThanOrEqual(500);
    expect(status.queue.highSeq).toBe(last);
    expect(status.queue.backlog).toBe(0);
    expect(status.running).toBe(false);
  });
});
