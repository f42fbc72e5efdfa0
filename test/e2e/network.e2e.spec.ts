import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RpcGateway } from '@groundtruth/programs';
import { address } from '@solana/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePortRange } from '../setup/ports.js';
import { createDatabase, dropDatabase } from '../setup/postgres.js';
import { eventually, groundtruth, NetworkProcess } from './network-process.js';

/**
 * The whole network as a user runs it: `groundtruth start` in a subprocess with a small simulated fleet (two devices
 * per kind, three of them faulty), checked only through what a user sees: the database the network writes, its
 * public APIs, the chain, and the `groundtruth` CLI. Once on the embedded defaults (Aedes, PGlite, LiteSVM), once
 * on the private Mosquitto and TimescaleDB of the test setup (LiteSVM still: no validator runs here).
 */

const EPOCH_SECONDS = 60;

/** `<dataDir>/fleet/network-fleet.json`: the simulated fleet's ground truth. */
interface FleetTruth {
  devices: {
    device: string;
    kind: string;
    faults: string[];
    expected: { fault: string; checks: string[]; reasons: string[] }[];
  }[];
}
type TruthDevice = FleetTruth['devices'][number];

interface EpochHeader {
  epoch: number;
  payoutState: string;
  wallets: number;
  endsAt: string;
}

/**
 * Faults always refused at the door: their messages land in quarantine with this reason. (A skewed clock is
 * quarantined only when it runs more than INGEST_MAX_FUTURE_MS ahead; less, and its readings are stored and flagged.)
 */
const QUARANTINE_EVIDENCE: Record<string, string> = { bad_signature: 'BAD_SIGNATURE' };

const modes = [
  { mode: 'embedded (Aedes, PGlite, LiteSVM)', infrastructure: false },
  { mode: 'on the private Mosquitto and TimescaleDB', infrastructure: true },
] as const;

describe.each(modes)('the network, $mode', ({ infrastructure }) => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let databaseUrl: string | undefined;
  let network: NetworkProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gt-e2e-'));
    const { MQTT_URL: _mqtt, DATABASE_URL: _db, SOLANA_RPC_URL: _rpc, ...rest } = process.env;
    env = { ...rest, GT_PORT_BASE: String(await freePortRange(7)), GT_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    if (infrastructure) {
      databaseUrl = await createDatabase(inject('databaseUrl'));
      env = { ...env, MQTT_URL: inject('mqttUrl'), DATABASE_URL: databaseUrl };
    }
  });

  afterAll(async () => {
    await network?.stop('SIGKILL');
    if (databaseUrl) {
      await dropDatabase(databaseUrl);
    }
    if (process.env.GT_E2E_KEEP === undefined) {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  const start = async () => {
    network = NetworkProcess.start(
      ['--fleet', '2', '--faulty', '3', '--epoch-seconds', String(EPOCH_SECONDS), '--grace-seconds', '10'].concat([
        '--readings-per-minute',
        '30',
      ]),
      env,
    );
    await network.waitFor(/GroundTruth network running/, 240_000);
    const endpoints = JSON.parse(await readFile(path.join(dataDir, 'network.json'), 'utf8')) as {
      databaseUrl: string;
      solanaRpcUrl: string;
      mint: string;
      services: Record<string, string>;
      bridgeMetrics: string;
    };
    const db = new pg.Pool({ connectionString: endpoints.databaseUrl, max: 1 });
    return { endpoints, db };
  };

  const fleet = async () =>
    (JSON.parse(await readFile(path.join(dataDir, 'fleet', 'network-fleet.json'), 'utf8')) as FleetTruth).devices;

  it('stores readings, flags the faulty devices, pays an epoch that verifies, sells a dataset that verifies, and stops and restarts without loss', async () => {
    // Given the network started with a fleet of six devices, three of them faulty (forged signatures)
    const { endpoints, db } = await start();
    const devices = await fleet();
    expect(devices).toHaveLength(6);
    const faulty = devices.filter((d) => d.faults.length > 0);
    expect(faulty.map((d) => d.faults).flat()).toEqual(['bad_signature', 'bad_signature', 'bad_signature']);
    try {
      // Then every device's readings are stored, or, for a device whose clock runs minutes ahead, quarantined
      await eventually(
        'readings from every device',
        async () => {
          const { rows } = await db.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM devices d
              WHERE (SELECT readings FROM device_state s WHERE s.device_id = d.device_id) >= 10
                 OR (SELECT count(*) FROM quarantine q WHERE q.device_id = d.device_id) >= 10`,
          );
          return Number(rows[0]!.n) === devices.length ? true : undefined;
        },
        180_000,
      );
      // and the fleet's bridges report to Prometheus: every device connected, with readings acknowledged
      const exposition = await (await fetch(endpoints.bridgeMetrics)).text();
      const acked = [...exposition.matchAll(/^gt_bridge_readings_acked_total\{device="(\w+)",kind="\w+"\} (\d+)$/gm)];
      expect(new Set(acked.map((m) => m[1]))).toEqual(new Set(devices.map((d) => d.device)));
      expect(acked.every((m) => Number(m[2]) > 0)).toBe(true);
      expect(exposition.match(/^gt_bridge_connected\{[^}]*\} 1$/gm)).toHaveLength(devices.length);

      // And an epoch closes and is paid
      const paid = await eventually(
        'a paid epoch',
        async () => {
          const list = await groundtruth(['epoch', 'list', '--json'], env);
          expect(list.code, list.stderr).toBe(0);
          return (JSON.parse(list.stdout) as EpochHeader[]).find((e) => e.payoutState === 'paid' && e.wallets > 0);
        },
        (EPOCH_SECONDS * 4 + 120) * 1000,
      );

      // And each faulty device shows its fault where its owner looks: the reason codes of its quality score
      // (`groundtruth device status`), and for what the network refuses at the door, the quarantine
      for (const device of faulty) {
        for (const { fault, reasons } of device.expected) {
          const quarantined = QUARANTINE_EVIDENCE[fault];
          if (quarantined) {
            await eventually(
              `${fault} of ${device.device} quarantined as ${quarantined}`,
              async () => {
                const { rows } = await db.query<{ n: string }>(
                  `SELECT count(*)::text AS n FROM quarantine WHERE device_id = $1 AND reason = $2`,
                  [device.device, quarantined],
                );
                return Number(rows[0]!.n) > 0 ? true : undefined;
              },
              (EPOCH_SECONDS * 2 + 60) * 1000,
            );
          }
          await eventually(
            `${fault} of ${device.device} (${device.kind}) flagged with ${reasons.join(' or ')}`,
            async () => {
              const status = await groundtruth(['device', 'status', device.device, '--json'], env);
              expect(status.code, status.stderr).toBe(0);
              const { quality } = JSON.parse(status.stdout) as { quality: { reasons?: { code: string }[] | string[] } };
              const codes = (quality.reasons ?? []).map((r) => (typeof r === 'string' ? r : r.code));
              return reasons.some((r) => codes.includes(r)) ? true : undefined;
            },
            (EPOCH_SECONDS * 2 + 60) * 1000,
          );
        }
      }
      // And a healthy device is not flagged with any fault's reason
      const faultReasons = new Set(faulty.flatMap((d) => d.expected.flatMap((e) => e.reasons)));
      for (const device of devices.filter((d) => d.faults.length === 0)) {
        const status = await groundtruth(['device', 'status', device.device, '--json'], env);
        const { quality } = JSON.parse(status.stdout) as { quality: { reasons?: { code: string }[] | string[] } };
        const codes = (quality.reasons ?? []).map((r) => (typeof r === 'string' ? r : r.code));
        expect(
          codes.filter((c) => faultReasons.has(c)),
          `healthy ${device.device}`,
        ).toEqual([]);
      }

      // And the owners' balances on chain equal what the manifests paid them, to the base unit
      const gateway = new RpcGateway({ url: endpoints.solanaRpcUrl });
      await eventually(
        'balances equal to the confirmed payouts',
        async () => {
          const { rows } = await db.query<{ wallet: string; total: string }>(
            `SELECT wallet, sum(amount)::text AS total FROM reward_payouts WHERE state = 'confirmed' GROUP BY wallet`,
          );
          expect(rows.length).toBeGreaterThan(0);
          for (const row of rows) {
            const balance = await gateway.tokenBalance(address(row.wallet), address(endpoints.mint));
            if (balance !== BigInt(row.total)) {
              return undefined; // a payout landed between the two reads: read again
            }
          }
          return true;
        },
        30_000,
      );

      // And anyone can verify the epoch from stored data and the chain
      const verified = await groundtruth(['epoch', 'verify', String(paid.epoch)], env);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(/^VERIFIED: epoch/m);

      // When a model trainer (here the weather owner, paid in the reward token) buys a dataset
      const exportDir = path.join(dataDir, 'bought');
      const bought = await groundtruth(
        [
          'market',
          'buy',
          'weather',
          '--keypair',
          path.join(dataDir, 'owners', 'owner-1.json'),
          '--from',
          String(Date.now() - 3600_000),
          '--to',
          String(Date.now()),
          '--download',
          exportDir,
        ],
        env,
      );
      expect(bought.code, bought.stdout + bought.stderr).toBe(0);
      // Then the export verifies offline, row by row
      const checked = await groundtruth(['verify-export', exportDir], env);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      expect(checked.stdout).toMatch(/^OK: /m);
    } finally {
      await db.end();
    }

    // When the network is stopped with Ctrl-C
    const code = await network!.stop('SIGINT');
    expect(code, network!.stderr).toBe(0);
    expect(network!.stdout).toMatch(/stopped cleanly/);
    const queuedAtStop = await highSeqs(dataDir, devices);

    // Then a restart resumes: every reading the bridges held is stored, once, with no gap in a clean device's seq
    const restarted = await start();
    try {
      await eventually(
        'readings after the restart',
        async () => {
          const { rows } = await restarted.db.query<{ device_id: string; high_seq: string }>(
            `SELECT device_id, high_seq::text FROM device_state`,
          );
          const high = new Map(rows.map((r) => [r.device_id, Number(r.high_seq)]));
          return devices
            .filter((d) => d.faults.length === 0)
            .every((d) => (high.get(d.device) ?? 0) > (queuedAtStop.get(d.device) ?? 0) + 2)
            ? true
            : undefined;
        },
        120_000,
      );
      for (const device of devices.filter((d) => d.faults.length === 0)) {
        const { rows } = await restarted.db.query<{
          n: string;
          distinct_seq: string;
          min_seq: string;
          max_seq: string;
        }>(
          `SELECT count(*)::text AS n, count(DISTINCT seq)::text AS distinct_seq, min(seq)::text AS min_seq,
                  max(seq)::text AS max_seq
             FROM (SELECT device_id, seq FROM readings_weather UNION ALL SELECT device_id, seq FROM readings_vehicle
                   UNION ALL SELECT device_id, seq FROM readings_energy) r WHERE device_id = $1`,
          [device.device],
        );
        const row = rows[0]!;
        expect(row.n, `duplicates of ${device.device}`).toBe(row.distinct_seq);
        // a device's first reading is seq 0 (PROTOCOL.md)
        expect(row.min_seq, `first seq of ${device.device}`).toBe('0');
        expect(Number(row.n), `gaps of ${device.device}`).toBe(Number(row.max_seq) + 1);
        expect(Number(row.max_seq)).toBeGreaterThanOrEqual(queuedAtStop.get(device.device) ?? 0);
      }
    } finally {
      await restarted.db.end();
    }
    expect(await network!.stop('SIGINT')).toBe(0);
  }, 900_000);
});

/** The highest seq each device's bridge had queued when it stopped (from its status file). */
async function highSeqs(dataDir: string, devices: readonly TruthDevice[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const { device, kind } of devices) {
    const status = JSON.parse(
      await readFile(path.join(dataDir, 'fleet', kind, 'devices', device, 'status.json'), 'utf8'),
    ) as { queue: { highSeq: number } };
    out.set(device, status.queue.highSeq);
  }
  return out;
}
