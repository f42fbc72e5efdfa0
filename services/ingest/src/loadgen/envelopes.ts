import {
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoSigner,
  readingsTopic,
  type DeviceId,
  type HardwareKind,
  type ReadingBody,
} from '@groundtruth/protocol';

/** A simulated device of a load run: the seed makes its key (and id) reproducible across threads. */
export interface LoadDevice {
  readonly seed: string;
  readonly kind: HardwareKind;
}

export interface LoadPlan {
  readonly devices: readonly LoadDevice[];
  /** `single`: one signed envelope per reading; `batch`: envelopes of `batchSize` readings */
  readonly mode: 'single' | 'batch';
  readonly readingsPerDevice: number;
  readonly batchSize?: number;
  readonly startSeq?: number;
}

export interface SignedMessage {
  readonly topic: string;
  readonly payload: Buffer;
}

const METRICS: Record<HardwareKind, (seq: number) => Record<string, number>> = {
  weather: (seq) => ({
    temperature: 11.3 + (seq % 70) / 10,
    humidity: 81,
    pressure: 101_325,
    wind_speed: 3.4,
    wind_direction: 220,
  }),
  vehicle: (seq) => ({ speed: 13.9 + (seq % 10), rpm: 2100, coolant_temperature: 88, fuel_level: 54.9 }),
  energy: (seq) => ({ energy_import_t1: 1_200_000 + seq, power_import: 420, voltage_l1: 231.2, current_l1: 2 }),
};

export function deviceIdOf(device: LoadDevice): DeviceId {
  return keyPairFromSeed(Buffer.from(device.seed, 'hex')).deviceId;
}

/**
 * Signs every envelope of a plan up front (a load run measures the network side, not device signing), in
 * round-robin order over the devices so each device's seqs go out in order: message `i` belongs to device
 * `i % devices.length`.
 */
export function signPlan(plan: LoadPlan, now = Date.now()): SignedMessage[] {
  const perMessage = plan.mode === 'single' ? 1 : (plan.batchSize ?? 50);
  const messagesPerDevice = Math.ceil(plan.readingsPerDevice / perMessage);
  const start = plan.startSeq ?? 0;
  const signers = plan.devices.map((device) => ({
    signer: new NodeCryptoSigner(keyPairFromSeed(Buffer.from(device.seed, 'hex'))),
    kind: device.kind,
  }));
  const out: SignedMessage[] = new Array(messagesPerDevice * signers.length);
  for (let m = 0; m < messagesPerDevice; m++) {
    signers.forEach(({ signer, kind }, d) => {
      const body = (seq: number): ReadingBody => ({
        v: 1,
        device: signer.deviceId,
        kind,
        seq,
        // recent past: within every timestamp window, never flagged as clock-ahead
        ts: now - plan.readingsPerDevice + seq - start,
        loc: { lat: 52.0907 + d / 1e4, lon: 5.1214, alt: 5 },
        metrics: METRICS[kind](seq),
      });
      const first = start + m * perMessage;
      const count = Math.min(perMessage, plan.readingsPerDevice - m * perMessage);
      const payload =
        plan.mode === 'single'
          ? encodeSingle(body(first), signer)
          : encodeBatch(
              Array.from({ length: count }, (_, i) => body(first + i)),
              signer,
            );
      out[m * signers.length + d] = { topic: readingsTopic(signer.deviceId), payload: Buffer.from(payload) };
    });
  }
  return out;
}
