import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ecowittForm } from '@groundtruth/firmware-bridge';
import { freePort, rssMb, spawnNode, stopChild, waitForPort } from './bridge-helpers.js';

/** The compiled `gt-bridge` a hardware owner runs (bench/dist/suites → repo root). */
const cli = fileURLToPath(new URL('../../../firmware-bridge/bin/gt-bridge.js', import.meta.url));
const PASSKEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';

/** What the owner's weather station sends, as measured at `ts` (plausible values; the bridge converts units). */
function stationForm(ts: number, i: number): string {
  const metrics = {
    temperature: 14 + 6 * Math.sin(i / 50),
    humidity: 60 + 10 * Math.cos(i / 70),
    pressure: 101_000 + 300 * Math.sin(i / 200),
    wind_speed: 3 + Math.abs(Math.sin(i / 9)),
    wind_gust: 5 + Math.abs(Math.sin(i / 9)),
    wind_direction: (i * 7) % 360,
    solar_irradiance: 300,
    uv_index: 3,
    rain_rate: 0,
    rain_daily: 1.2,
  };
  return ecowittForm(metrics, ts, { passkey: PASSKEY, altitudeM: 10 });
}

export interface RssRun {
  readonly peakMb: number;
  readonly medianMb: number;
  readonly pushes: number;
}

/**
 * `gt-bridge run` for one Ecowitt station, as a hardware owner runs it (own key, config file, fsync policy by
 * default, batch envelopes, MQTT to the broker), fed a push every `pushEveryMs` for `seconds` s; its RSS is
 * sampled every 250 ms after a 3 s warm-up.
 */
export async function singleBridgeRss(brokerUrl: string, seconds: number, pushEveryMs: number): Promise<RssRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-bridge-rss-'));
  try {
    execFileSync(process.execPath, [cli, 'keygen', '--out', path.join(dir, 'device.key')], { stdio: 'ignore' });
    const port = await freePort();
    const config = path.join(dir, 'bridge.json');
    writeFileSync(
      config,
      JSON.stringify({
        keyFile: 'device.key',
        dataDir: 'data',
        adapter: { type: 'ecowitt', listen: { host: '127.0.0.1', port }, passkey: PASSKEY },
        mqtt: { url: brokerUrl },
        log: { level: 'warn' },
      }),
    );
    // Run as the installed command runs: the executable itself, with the Node flags of its shebang line.
    const bridge = spawnNode(cli, ['run', '--config', config], { asExecutable: true });
    try {
      await waitForPort(port);
      const samples: number[] = [];
      const start = Date.now();
      let pushes = 0;
      while (Date.now() - start < seconds * 1000) {
        const response = await fetch(`http://127.0.0.1:${port}/data/report/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: stationForm(Math.floor(Date.now() / 1000) * 1000, pushes),
        });
        await response.text();
        if (response.status !== 200) {
          throw new Error(`the bridge answered ${response.status}: ${bridge.output()}`);
        }
        pushes++;
        if (Date.now() - start > 3000) {
          samples.push(rssMb(bridge.child.pid!));
        }
        await sleep(pushEveryMs);
      }
      const sorted = [...samples].sort((a, b) => a - b);
      return { peakMb: sorted.at(-1)!, medianMb: sorted[sorted.length >> 1]!, pushes };
    } finally {
      await stopChild(bridge.child, bridge.exited);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FleetRun {
  readonly devices: number;
  readonly offeredPerS: number;
  /** samples the adapters delivered per second, and readings the broker acknowledged per second */
  readonly readPerS: number;
  readonly ackedPerS: number;
  /** CPU cores the simulator process used meanwhile (user + system, all threads; 1.0 = one core busy) */
  readonly cpuCores: number;
  readonly peakRssMb: number;
  readonly startS: number;
}

interface Totals {
  readonly connected: number;
  readonly acked: number;
  readonly read: number;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * `gt-bridge simulate --count N` in one process: N simulated devices (emulated hardware → real adapters → real
 * bridges, own queue and MQTT connection each). Throughput is the acked readings between two of the simulator's
 * periodic totals once every device is connected; RSS is sampled throughout.
 */
export async function fleetProcess(
  brokerUrl: string,
  options: { kind: string; count: number; intervalS: number; seconds: number },
): Promise<FleetRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-fleet-'));
  const started = Date.now();
  const fleet = spawnNode(
    cli,
    [
      'simulate',
      '--kind',
      options.kind,
      '--count',
      String(options.count),
      '--interval',
      String(options.intervalS),
      '--broker',
      brokerUrl,
      '--data-dir',
      path.join(dir, 'fleet'),
      '--log-level',
      'error',
    ],
    { asExecutable: true },
  );
  let peakRssMb = 0;
  const totals: { at: number; totals: Totals; cpuS: number }[] = [];
  let seen = 0;
  try {
    for (;;) {
      if (fleet.child.exitCode !== null) {
        throw new Error(`the simulator exited early: ${fleet.output()}`);
      }
      peakRssMb = Math.max(peakRssMb, rssMb(fleet.child.pid!));
      const lines = [...fleet.output().matchAll(/gt-bridge simulate: (\{.*\})/g)];
      for (const line of lines.slice(seen)) {
        totals.push({ at: Date.now(), totals: JSON.parse(line[1]!) as Totals, cpuS: cpuSeconds(fleet.child.pid!) });
      }
      seen = lines.length;
      const steady = totals.filter((t) => t.totals.connected === options.count);
      if (steady.length >= 1 && steady.at(-1)!.at - steady[0]!.at >= options.seconds * 1000) {
        const first = steady[0]!;
        const last = steady.at(-1)!;
        const seconds = (last.at - first.at) / 1000;
        return {
          devices: options.count,
          offeredPerS: options.count / options.intervalS,
          readPerS: (last.totals.read - first.totals.read) / seconds,
          ackedPerS: (last.totals.acked - first.totals.acked) / seconds,
          cpuCores: (last.cpuS - first.cpuS) / seconds,
          peakRssMb,
          startS: (totals.find((t) => t.totals.connected === options.count)!.at - started) / 1000,
        };
      }
      if (Date.now() - started > (options.seconds + 180) * 1000) {
        throw new Error(`the fleet did not reach a steady state: ${JSON.stringify(totals.at(-1))}`);
      }
      await sleep(1000);
    }
  } finally {
    await stopChild(fleet.child, fleet.exited, 60_000);
    rmSync(dir, { recursive: true, force: true });
  }
}
