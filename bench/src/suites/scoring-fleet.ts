/**
 * A seeded fleet with every fault type of the simulator and clean devices, run through the bridge's fault hooks
 * and the ingest's acceptance rules into the database, without brokers or timers: what the network would have
 * stored after `days` of simulated time. Ground truth for the scoring detection benchmark.
 *
 * - devices, places and fault assignment as `SimulatedFleet` (simulatedDeviceKey, fleet-placement, assignFaults);
 * - samples from the emulated hardware through the real protocol parsers (scoring-sim.ts);
 * - bridge faults by the bridge's own `BridgeFaultInjector` (clock skew, corrupted signatures, replays of old
 *   envelopes) and, for `cloned_key`, a second device with the same key 50–500 km away numbering from the same seq;
 * - the ingest's decisions: bad signature → quarantine BAD_SIGNATURE; timestamp window (INGEST_MAX_FUTURE_MS,
 *   INGEST_MAX_AGE_MS defaults) → TIMESTAMP_IN_FUTURE / TIMESTAMP_TOO_OLD; `classifySeqs` for duplicates
 *   (verbatim copies within INGEST_REPLAY_AFTER_MS, dropped as redeliveries), REPLAYED_SEQ and NON_INCREASING_SEQ
 *   (including verbatim copies sent again later: replays); `ingestQualityFlags`.
 */
import {
  assignFaults,
  BRIDGE_FAULTS,
  BridgeFaultInjector,
  offsetPoint,
  planBridgeFaults,
  simulatedDeviceKey,
  type BridgeFault,
  type FaultType,
  type SignalFault,
} from '@groundtruth/firmware-bridge';
import { applicableFaults, hashSeed, Prng, type GeoPoint } from '@groundtruth/firmware-bridge/simulation';
import { ingestConfig, ingestQualityFlags, QFLAG } from '@groundtruth/ingest';
import type { HardwareKind, ReadingBody } from '@groundtruth/protocol';
import type pg from 'pg';
import { RowSink } from './scoring-db.js';
import { deviceSampler } from './scoring-sim.js';

export interface FleetSpec {
  readonly kind: HardwareKind;
  readonly seed: string;
  /** devices per fault type that applies to the kind */
  readonly perFault: number;
  readonly clean: number;
  /** simulation start (faults start here) and length */
  readonly startMs: number;
  readonly days: number;
  readonly intervalMs?: number;
  readonly center?: GeoPoint;
  readonly radiusKm?: number;
}

export interface SimulatedDeviceTruth {
  readonly id: string;
  readonly kind: HardwareKind;
  readonly index: number;
  readonly location: GeoPoint;
  /** the fault type, or undefined for a clean device */
  readonly fault: FaultType | undefined;
  /** the seeded choices (metric stuck, spoof variant, clock offset, ...) */
  readonly detail: Record<string, unknown>;
}

export interface FleetStats {
  samples: number;
  stored: number;
  quarantined: Record<string, number>;
  duplicates: number;
  replayed: number;
}

/** The faults a kind can have: its signal faults, then the bridge faults. */
export function faultsOf(kind: HardwareKind): FaultType[] {
  return [...applicableFaults(kind), ...BRIDGE_FAULTS];
}

/** Registers, simulates and stores a fleet of one kind; returns the ground truth. */
export async function simulateFleet(
  pool: pg.Pool,
  spec: FleetSpec,
): Promise<{ devices: SimulatedDeviceTruth[]; stats: FleetStats }> {
  const faults = faultsOf(spec.kind);
  const count = faults.length * spec.perFault + spec.clean;
  const counts = new Map<FaultType, number>(faults.map((f) => [f, spec.perFault]));
  const assigned = assignFaults(spec.kind, count, counts, spec.seed);
  const placement = new Prng(hashSeed('fleet-placement', spec.seed));
  const center = spec.center ?? { lat: 52.37, lon: 4.89 };
  const radiusKm = spec.radiusKm ?? 25;
  const interval = spec.intervalMs ?? 60_000;
  const devices = assigned.map((f, index) => {
    const location = offsetPoint(center, radiusKm * Math.sqrt(placement.next()), placement.range(0, 360));
    const fault = f.signal[0] ?? f.bridge[0];
    return {
      id: simulatedDeviceKey(spec.kind, spec.seed, index).deviceId as string,
      index,
      location,
      signal: f.signal,
      bridge: f.bridge,
      fault,
    };
  });
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, model, declared_lat, declared_lon, interval_s, registered_at)
     SELECT d, $1, 'bench-owner', 'gt-sim', la, lo, $2, $3 FROM unnest($4::text[], $5::float8[], $6::float8[]) AS t(d, la, lo)`,
    [
      spec.kind,
      Math.round(interval / 1000),
      new Date(spec.startMs - 86_400_000).toISOString(),
      devices.map((d) => d.id),
      devices.map((d) => d.location.lat),
      devices.map((d) => d.location.lon),
    ],
  );
  const stats: FleetStats = { samples: 0, stored: 0, quarantined: {}, duplicates: 0, replayed: 0 };
  const truths: SimulatedDeviceTruth[] = [];
  const sink = new RowSink(pool);
  for (const device of devices) {
    truths.push(await simulateDevice(spec, device, interval, sink, stats));
    await sink.flush();
  }
  return { devices: truths, stats };
}

interface Message {
  readonly recv: number;
  readonly body: ReadingBody;
  readonly content: Buffer;
  readonly badSignature: boolean;
}

async function simulateDevice(
  spec: FleetSpec,
  device: {
    id: string;
    index: number;
    location: GeoPoint;
    signal: readonly SignalFault[];
    bridge: readonly BridgeFault[];
    fault: FaultType | undefined;
  },
  interval: number,
  sink: RowSink,
  stats: FleetStats,
): Promise<SimulatedDeviceTruth> {
  const seed = `${spec.seed}:${device.index}`;
  const sampler = deviceSampler(spec.kind, seed, device.location, spec.startMs, device.signal);
  const plan = planBridgeFaults(device.bridge, seed);
  const rand = new Prng(hashSeed('bench-timing', seed));
  const replays: Buffer[] = [];
  const injector = new BridgeFaultInjector(plan, seed, (payload) => {
    replays.push(payload);
    return true;
  });
  const end = spec.startMs + spec.days * 86_400_000;
  const messages: Message[] = [];
  const emit = async (
    sampler: ReturnType<typeof deviceSampler>,
    phase: number,
    firstSeq: number,
    bridge?: BridgeFaultInjector,
  ) => {
    let seq = firstSeq;
    const sent = new Map<string, Message>();
    for (let t = spec.startMs + phase; t < end; t += interval) {
      const raw = sampler.sample(t);
      if (!raw) {
        continue;
      }
      stats.samples++;
      const sample = bridge ? bridge.transformSample(raw) : raw;
      const body: ReadingBody = {
        v: 1,
        device: device.id as ReadingBody['device'],
        kind: spec.kind,
        seq: seq++,
        ts: Math.round(sample.ts),
        ...(sample.loc ? { loc: sample.loc } : {}),
        metrics: sample.metrics,
      };
      const content = Buffer.from(JSON.stringify(body));
      // The bridge's payload hook decides, from its seeded stream, which envelopes get a corrupted signature
      // and which older envelope it re-publishes; the envelope here is the body plus a dummy signature.
      const payload = Buffer.from(`{"body":${content.toString()},"sig":"${'A'.repeat(86)}=="}`);
      const out = bridge
        ? bridge.transformPayload(payload, { type: 'single', count: 1, firstSeq: body.seq, lastSeq: body.seq })
        : payload;
      const message = {
        recv: t + 300 + Math.floor(rand.next() * 1700),
        body,
        content,
        badSignature: !out.equals(payload),
      };
      messages.push(message);
      sent.set(out.toString('latin1'), message);
      if (plan.replay) {
        // the injector re-publishes with setImmediate, after the current envelope
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const old of replays.splice(0)) {
        const original = sent.get(old.toString('latin1'));
        if (original) {
          stats.replayed++;
          messages.push({ ...original, recv: message.recv + 50 });
        }
      }
    }
  };
  await emit(sampler, Math.floor(rand.next() * interval), 1, injector);
  const detail: Record<string, unknown> = {};
  const signalPlan = sampler.injector.plans[0];
  if (signalPlan?.metric) {
    detail.metric = signalPlan.metric;
  }
  if (signalPlan?.variant) {
    detail.variant = signalPlan.variant;
  }
  if (plan.clockSkewMs !== undefined) {
    detail.clockSkewMin = Math.round(plan.clockSkewMs / 60_000);
  }
  if (plan.clone) {
    const place = offsetPoint(device.location, plan.clone.distanceKm, plan.clone.bearingDeg);
    detail.cloneKm = plan.clone.distanceKm;
    const clone = deviceSampler(spec.kind, `${seed}:clone`, place, spec.startMs, []);
    // started just after the original, numbering from the seq the original had then
    await emit(clone, Math.floor(rand.next() * interval), 1);
  }
  messages.sort((a, b) => a.recv - b.recv);
  ingest(spec.kind, device.id, messages, sink, stats);
  return {
    id: device.id,
    kind: spec.kind,
    index: device.index,
    location: device.location,
    fault: device.fault,
    detail,
  };
}

const INGEST = ingestConfig({ databaseUrl: 'postgres://unused/db' });

/**
 * The ingest's decisions for one device's messages in arrival order (services/ingest: envelope checks,
 * seq.classifier, quality.flags; mirrored here so the benchmark does not follow every internal signature);
 * stores what it accepts.
 */
function ingest(
  kind: HardwareKind,
  device: string,
  messages: readonly Message[],
  sink: RowSink,
  stats: FleetStats,
): void {
  let high: number | undefined;
  let gaps: { from: number; to: number; at: number }[] = [];
  const stored = new Map<number, { content: Buffer; recv: number }>();
  const quarantine = (m: Message, reason: string) => {
    stats.quarantined[reason] = (stats.quarantined[reason] ?? 0) + 1;
    sink.quarantine({ recv: m.recv, reason, device, seq: m.body.seq });
  };
  for (const m of messages) {
    if (m.badSignature) {
      quarantine(m, 'BAD_SIGNATURE');
      continue;
    }
    if (m.body.ts - m.recv > INGEST.maxFutureMs) {
      quarantine(m, 'TIMESTAMP_IN_FUTURE');
      continue;
    }
    if (m.recv - m.body.ts > INGEST.maxAgeMs) {
      quarantine(m, 'TIMESTAMP_TOO_OLD');
      continue;
    }
    const seq = m.body.seq;
    const earlier = stored.get(seq);
    if (earlier !== undefined) {
      if (!earlier.content.equals(m.content)) {
        quarantine(m, 'REPLAYED_SEQ');
      } else if (m.recv - earlier.recv > INGEST.replayAfterMs) {
        quarantine(m, 'NON_INCREASING_SEQ'); // an old message sent again
      } else {
        stats.duplicates++; // a redelivery: acknowledged, not stored again
      }
      continue;
    }
    let late = false;
    if (high === undefined || seq > high) {
      const from = high === undefined ? 0 : high + 1;
      if (from <= seq - 1) {
        gaps.push({ from, to: seq - 1, at: m.recv });
      }
      high = seq;
    } else {
      const gap = gaps.find((g) => g.from <= seq && seq <= g.to);
      if (gap === undefined || m.recv - gap.at > INGEST.lateWindowMs) {
        quarantine(m, 'NON_INCREASING_SEQ');
        continue;
      }
      gaps = gaps.filter((g) => g !== gap);
      if (gap.from <= seq - 1) {
        gaps.push({ from: gap.from, to: seq - 1, at: gap.at });
      }
      if (seq + 1 <= gap.to) {
        gaps.push({ from: seq + 1, to: gap.to, at: gap.at });
      }
      late = true;
    }
    stored.set(seq, { content: m.content, recv: m.recv });
    const qflags =
      ingestQualityFlags(m.body, m.recv, { clockAheadMs: INGEST.clockAheadFlagMs, delayedMs: INGEST.delayedFlagMs }) |
      (late ? QFLAG.LATE_SEQ : 0);
    stats.stored++;
    sink.reading(kind, m.body, m.recv, qflags);
  }
}
