import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import { DeviceBridge, type AdapterSink, type HardwareAdapter, type SensorSample } from '@groundtruth/firmware-bridge';
import { generateKeyPair, NodeCryptoSigner, TweetnaclSigner } from '@groundtruth/protocol';
import { median, type BenchSuite, type Figure } from '../suite.js';
import { startBenchBroker } from './bridge-helpers.js';
import { fleetProcess, singleBridgeRss, type FleetRun, type RssRun } from './bridge-processes.js';

/**
 * The firmware bridge on this machine, against a private Mosquitto:
 * - throughput: one DeviceBridge in this process (the production core: sign → durable queue with the default
 *   fsync policy, fdatasync per group commit → MQTT 5 QoS 1 publish → PUBACK → cursor), fed samples as fast as
 *   it acknowledges them (at most a bounded backlog ahead); tweetnacl vs node:crypto, batch (50) vs single, all
 *   in the same run. "Per core" = readings per CPU-second of the process (user + system, all its threads): the
 *   bridge runs on one JavaScript thread, and on a shared machine wall time also counts other processes' turns.
 * - RSS: the compiled `gt-bridge run` for one Ecowitt station, as an owner runs it, fed real HTTP pushes.
 * - fleet: `gt-bridge simulate --count 1000` in one process.
 */
const RUNS = Number(process.env.GT_BENCH_BRIDGE_RUNS ?? 3);
const SECONDS = Number(process.env.GT_BENCH_BRIDGE_SECONDS ?? 4);
const RSS_SECONDS = Number(process.env.GT_BENCH_BRIDGE_RSS_SECONDS ?? 15);
const FLEET_DEVICES = Number(process.env.GT_BENCH_BRIDGE_FLEET ?? 1000);
const FLEET_KIND = process.env.GT_BENCH_BRIDGE_FLEET_KIND ?? 'weather';
const FLEET_INTERVAL_S = Number(process.env.GT_BENCH_BRIDGE_FLEET_INTERVAL ?? 1);
const FLEET_SECONDS = Number(process.env.GT_BENCH_BRIDGE_FLEET_SECONDS ?? 30);

type SignerKind = 'tweetnacl' | 'node';
type Mode = 'batch' | 'single';

/** The sensor side of the bench: samples the bench hands over directly (the adapters have their own tests). */
class BenchAdapter implements HardwareAdapter {
  readonly kind = 'weather' as const;
  private sink: AdapterSink | undefined;
  async start(sink: AdapterSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.sink = undefined;
  }
  push(sample: SensorSample): void {
    this.sink?.sample(sample);
  }
}

const T0 = Date.UTC(2026, 0, 1);
const sample = (i: number): SensorSample => ({
  ts: T0 + i * 1000,
  metrics: {
    temperature: 12 + (i % 97) / 10,
    humidity: 40 + (i % 50),
    pressure: 100_800 + (i % 400),
    wind_speed: (i % 120) / 10,
    wind_gust: (i % 120) / 10 + 2,
    wind_direction: i % 360,
    solar_irradiance: (i % 900) + 0.5,
    rain_rate: 0,
  },
});

interface ThroughputRun {
  readonly readings: number;
  readonly wallPerS: number;
  readonly cpuPerS: number;
  readonly cpuShare: number;
}

async function throughputRun(brokerUrl: string, signerKind: SignerKind, mode: Mode): Promise<ThroughputRun> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-bridge-'));
  const keys = generateKeyPair();
  const adapter = new BenchAdapter();
  const bridge = await DeviceBridge.start({
    adapter,
    signer: signerKind === 'node' ? new NodeCryptoSigner(keys) : new TweetnaclSigner(keys),
    dataDir,
    mode,
    batch: { maxReadings: 50, maxAgeMs: 50 },
    mqtt: { url: brokerUrl },
    statusIntervalMs: 60_000,
  });
  try {
    while (!bridge.link?.connected) {
      await sleep(20);
    }
    const counts = bridge.counters.counts;
    const backlogCap = mode === 'batch' ? 10_000 : 500;
    const chunk = mode === 'batch' ? 250 : 10;
    let produced = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    while (performance.now() - start < SECONDS * 1000) {
      if (produced - counts.acked < backlogCap) {
        for (let i = 0; i < chunk; i++) {
          adapter.push(sample(produced++));
        }
      }
      await yieldToIo(); // let commits, publishes and PUBACKs run
    }
    while (counts.acked < produced) {
      await sleep(1);
    }
    const wallS = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    return { readings: produced, wallPerS: produced / wallS, cpuPerS: produced / cpuS, cpuShare: cpuS / wallS };
  } finally {
    await bridge.stop({ drainMs: 0 });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x);

export const bridgeSuite: BenchSuite = {
  name: 'bridge',
  description: 'firmware bridge: sign + persist (fsync) + publish per core, RSS of one bridge, 1,000 simulated devices',
  async run() {
    const broker = await startBenchBroker();
    try {
      const variants: [SignerKind, Mode][] = [
        ['tweetnacl', 'batch'],
        ['node', 'batch'],
        ['tweetnacl', 'single'],
        ['node', 'single'],
      ];
      const runs = new Map<string, ThroughputRun[]>(variants.map(([s, m]) => [`${s}/${m}`, []]));
      for (let r = 0; r < RUNS; r++) {
        for (const [signer, mode] of variants) {
          runs.get(`${signer}/${mode}`)!.push(await throughputRun(broker.url, signer, mode)); // interleaved runs
        }
      }
      const med = (key: string, pick: (run: ThroughputRun) => number) => median(runs.get(key)!.map(pick));
      const rss: RssRun[] = [];
      for (let r = 0; r < RUNS; r++) {
        rss.push(await singleBridgeRss(broker.url, RSS_SECONDS, 100));
      }
      const fleet: FleetRun = await fleetProcess(broker.url, {
        kind: FLEET_KIND,
        count: FLEET_DEVICES,
        intervalS: FLEET_INTERVAL_S,
        seconds: FLEET_SECONDS,
      });
      const perCore = (key: string): Figure => ({ value: round(med(key, (x) => x.cpuPerS)), unit: 'readings/s' });
      const wall = (key: string): Figure => ({ value: round(med(key, (x) => x.wallPerS)), unit: 'readings/s' });
      const figures: Record<string, Figure> = {
        'bridge.batch.readings_per_s': perCore('tweetnacl/batch'),
        'bridge.batch.node_crypto.readings_per_s': perCore('node/batch'),
        'bridge.single.tweetnacl.readings_per_s': perCore('tweetnacl/single'),
        'bridge.single.node_crypto.readings_per_s': perCore('node/single'),
        'bridge.batch.wall.readings_per_s': wall('tweetnacl/batch'),
        'bridge.batch.node_crypto.wall.readings_per_s': wall('node/batch'),
        'bridge.single_device.rss_mb': { value: median(rss.map((x) => x.peakMb)), unit: 'MB' },
        'bridge.fleet_1000.readings_per_s': { value: round(fleet.ackedPerS), unit: 'readings/s' },
        'bridge.fleet_1000.rss_mb': { value: round(fleet.peakRssMb), unit: 'MB' },
      };
      const rows = variants.map(([signer, mode]) => {
        const key = `${signer}/${mode}`;
        return (
          `| ${signer === 'node' ? 'node:crypto' : 'tweetnacl'} | ${mode} | ${round(med(key, (x) => x.cpuPerS))} | ` +
          `${round(med(key, (x) => x.wallPerS))} | ${med(key, (x) => x.cpuShare).toFixed(2)} | ${med(key, (x) => x.readings)} |`
        );
      });
      const notes = [
        `Private Mosquitto (no persistence) on this machine; one DeviceBridge in the bench process fed samples as fast`,
        `as it gets PUBACKs (≤ 10,000 readings ahead in batch mode, 500 in single), ${SECONDS} s per run, median of`,
        `${RUNS} interleaved runs. Default queue policy: group commit (≤ 100 ms / 256 records) with fdatasync, cursor`,
        `fsync ≤ 1 s; batch envelopes of 50 readings (Merkle root + one signature). "per core" = readings per`,
        `CPU-second of the process (user + system over all its threads, so fsync and MQTT I/O count too).`,
        '',
        '| signer | mode | readings per CPU-s | readings per wall-s | CPU cores used | readings per run |',
        '|---|---|---:|---:|---:|---:|',
        ...rows,
        '',
        `RSS of one \`gt-bridge run\` (compiled CLI, Ecowitt adapter, one device, fed a push every 100 ms over HTTP):`,
        `peak ${rss.map((x) => x.peakMb.toFixed(1)).join(' / ')} MB, median sample ${rss.map((x) => x.medianMb.toFixed(1)).join(' / ')} MB`,
        `over ${RUNS} runs of ${RSS_SECONDS} s (figure: median of the peaks).`,
        '',
        `One \`gt-bridge simulate\` process with ${fleet.devices} ${FLEET_KIND} devices (emulated gateways pushing`,
        `over HTTP to the real adapters, one durable queue and one MQTT connection per device, node:crypto signer,`,
        `fsync off as the simulator's default), a reading per device every ${FLEET_INTERVAL_S} s (offered`,
        `${round(fleet.offeredPerS)} readings/s): ${round(fleet.readPerS)} readings/s read by the adapters and`,
        `${round(fleet.ackedPerS)} readings/s acknowledged by the broker over ${FLEET_SECONDS} s of steady state, the`,
        `process using ${fleet.cpuCores.toFixed(2)} CPU cores; peak RSS ${round(fleet.peakRssMb)} MB; all devices connected`,
        `after ${fleet.startS.toFixed(0)} s. The \`gt-bridge\` command runs with the small-footprint Node flags of its`,
        `shebang line (README "Memory"), so this also shows what those flags cost a large fleet.`,
      ].join('\n');
      return { figures, notes };
    } finally {
      await broker.stop();
    }
  },
};
