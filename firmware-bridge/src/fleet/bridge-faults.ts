/**
 * Bridge faults: what a dishonest or broken bridge sends, independent of what the hardware measured. Every choice
 * comes from the device's seed, so the same seed gives the same faults.
 *
 * | fault         | exact effect                                                                                       |
 * |---------------|----------------------------------------------------------------------------------------------------|
 * | clock_skew    | the device clock is off by a constant offset: ±(10 min … 6 h), sign and size seeded; every `ts`    |
 * |               | the bridge signs is the true sample time plus the offset.                                          |
 * | replay        | after each envelope it seals, with probability 5 %, the bridge re-publishes verbatim an envelope   |
 * |               | it sealed 1–50 envelopes earlier (seeded), outside the durable queue (valid signature, old seqs).  |
 * | bad_signature | each sealed envelope, with probability 5 %, has one seeded byte of its signature inverted before   |
 * |               | it is stored and published (the network must reject it as BAD_SIGNATURE).                         |
 * | cloned_key    | a second bridge holding the same key runs a second simulated device 50–500 km away (seeded         |
 * |               | bearing), on its own MQTT connection, numbering readings from the original's seq at start, so the  |
 * |               | two publish interleaved, colliding seqs with different content from two places.                    |
 */
import type { SensorSample } from '../adapters/adapter.js';
import type { PayloadTransform } from '../core/envelope-sealer.js';
import type { BridgeFault } from '../simulation/faults.js';
import { Prng, hashSeed } from '../simulation/prng.js';

export const REPLAY_PROBABILITY = 0.05;
export const BAD_SIGNATURE_PROBABILITY = 0.05;
const REPLAY_RING = 50;
const MINUTE = 60_000;

/** The seeded choices of a device's bridge faults: ground truth for quality scoring. */
export interface BridgeFaultPlan {
  readonly clockSkewMs?: number;
  readonly replay?: { readonly probability: number; readonly maxLag: number };
  readonly badSignature?: { readonly probability: number };
  readonly clone?: { readonly distanceKm: number; readonly bearingDeg: number };
}

export function planBridgeFaults(faults: readonly BridgeFault[], seed: number | string): BridgeFaultPlan {
  const prng = new Prng(hashSeed('bridge-faults', seed));
  const plan: { -readonly [K in keyof BridgeFaultPlan]: BridgeFaultPlan[K] } = {};
  for (const fault of faults) {
    switch (fault) {
      case 'clock_skew':
        plan.clockSkewMs = Math.round((prng.next() < 0.5 ? -1 : 1) * prng.range(10 * MINUTE, 360 * MINUTE));
        break;
      case 'replay':
        plan.replay = { probability: REPLAY_PROBABILITY, maxLag: REPLAY_RING };
        break;
      case 'bad_signature':
        plan.badSignature = { probability: BAD_SIGNATURE_PROBABILITY };
        break;
      case 'cloned_key':
        plan.clone = { distanceKm: Math.round(prng.range(50, 500)), bearingDeg: Math.round(prng.range(0, 360)) };
        break;
    }
  }
  return plan;
}

/** Inverts one byte of the base64 signature at the end of an envelope's JSON; everything else stays. */
export function corruptSignature(payload: Buffer, byteIndex: number): Buffer {
  const text = payload.toString('utf8');
  const at = text.lastIndexOf('"sig":"');
  if (at < 0) {
    return payload;
  }
  const start = at + 7;
  const end = text.indexOf('"', start);
  const sig = Buffer.from(text.slice(start, end), 'base64');
  const i = byteIndex % sig.length;
  sig[i] = sig[i]! ^ 0xff;
  return Buffer.from(text.slice(0, start) + sig.toString('base64') + text.slice(end), 'utf8');
}

/** Runtime of a device's bridge faults: the sample and payload hooks, and the replays they schedule. */
export class BridgeFaultInjector {
  readonly stats = { skewed: 0, corrupted: 0, replayed: 0, replaySkipped: 0 };
  private readonly prng: Prng;
  private readonly ring: Buffer[] = [];

  constructor(
    readonly plan: BridgeFaultPlan,
    seed: number | string,
    /** publishes a replayed payload verbatim; returns false when it could not (offline) */
    private readonly replay: (payload: Buffer) => boolean,
  ) {
    this.prng = new Prng(hashSeed('bridge-fault-runtime', seed));
  }

  transformSample = (sample: SensorSample): SensorSample => {
    if (this.plan.clockSkewMs === undefined) {
      return sample;
    }
    this.stats.skewed++;
    return { ...sample, ts: sample.ts + this.plan.clockSkewMs };
  };

  transformPayload: PayloadTransform = (payload) => {
    let out = payload;
    if (this.plan.badSignature !== undefined && this.prng.next() < this.plan.badSignature.probability) {
      out = corruptSignature(payload, this.prng.int(0, 63));
      this.stats.corrupted++;
    }
    if (this.plan.replay !== undefined) {
      if (this.ring.length > 0 && this.prng.next() < this.plan.replay.probability) {
        const old = this.ring[this.ring.length - this.prng.int(1, this.ring.length)]!;
        // Only after the current record is queued, so the replay really is of an older envelope.
        setImmediate(() => (this.replay(old) ? this.stats.replayed++ : this.stats.replaySkipped++));
      }
      this.ring.push(out);
      if (this.ring.length > this.plan.replay.maxLag) {
        this.ring.shift();
      }
    }
    return out;
  };

  /** Whether any hook changes what the bridge does. */
  get active(): boolean {
    return (
      this.plan.clockSkewMs !== undefined || this.plan.replay !== undefined || this.plan.badSignature !== undefined
    );
  }
}
