/**
 * A small, deterministic fleet for the dashboards' integration test: registrations signed by device and owner
 * keys, and the signed readings each device publishes (singles and batches), including the unhappy ones the
 * dashboards must show (bad signature, replayed seq, unknown device, garbage, seq gap, out-of-range value,
 * backlog).
 */
import {
  encodeBatch,
  encodeSingle,
  generateKeyPair,
  randomNonce,
  readingsTopic,
  signRegistration,
  TweetnaclSigner,
  type DeviceKeyPair,
  type HardwareKind,
  type ReadingBody,
  type RegistrationRequest,
  type SignedRegistration,
  type WalletAddress,
} from '../../protocol/src/index.js';

export interface FleetDevice {
  readonly keys: DeviceKeyPair;
  readonly owner: DeviceKeyPair;
  readonly kind: HardwareKind;
  readonly model: string;
  readonly location?: { lat: number; lon: number; alt?: number };
}

export interface Message {
  readonly topic: string;
  readonly payload: string;
}

const MINUTE = 60_000;
export const READINGS_PER_DEVICE = 30;

const wallet = (keys: DeviceKeyPair): WalletAddress => keys.deviceId as string as WalletAddress;

/** Three owners; the first owns devices of every kind. One energy meter declares no location. */
export function makeFleet(): FleetDevice[] {
  const owners = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const device = (
    kind: HardwareKind,
    owner: number,
    model: string,
    location?: FleetDevice['location'],
  ): FleetDevice => ({
    keys: generateKeyPair(),
    owner: owners[owner]!,
    kind,
    model,
    ...(location ? { location } : {}),
  });
  return [
    device('weather', 0, 'Ecowitt GW2000', { lat: 52.0907, lon: 5.1214, alt: 5 }),
    device('weather', 1, 'Ecowitt GW2000', { lat: 52.3676, lon: 4.9041, alt: 2 }),
    device('weather', 2, 'Davis Vantage Pro2', { lat: 51.9244, lon: 4.4777 }),
    device('vehicle', 0, 'ELM327 + u-blox M8N'),
    device('vehicle', 1, 'ELM327 + u-blox M8N'),
    device('energy', 0, 'DSMR P1 (ESMR 5)', { lat: 52.09, lon: 5.12 }),
    device('energy', 2, 'Eastron SDM630 Modbus'),
  ];
}

export function registrationOf(d: FleetDevice, now: number): SignedRegistration {
  const request: RegistrationRequest = {
    v: 1,
    type: 'register',
    device: d.keys.deviceId,
    owner: wallet(d.owner),
    kind: d.kind,
    model: d.model,
    interval_s: 60,
    ...(d.location ? { location: d.location } : {}),
    nonce: randomNonce(),
    expires_at: now + 10 * MINUTE,
  };
  return signRegistration(request, new TweetnaclSigner(d.keys), new TweetnaclSigner(d.owner));
}

function metricsOf(kind: HardwareKind, seq: number): Record<string, number> {
  switch (kind) {
    case 'weather':
      return {
        temperature: 11 + (seq % 7) / 2,
        humidity: 70 + (seq % 5),
        pressure: 101_300 - seq * 10,
        wind_speed: 3 + (seq % 3),
      };
    case 'vehicle':
      return {
        speed: 10 + (seq % 6),
        rpm: 1800 + seq * 5,
        coolant_temperature: 88,
        odometer: 1_000_000 + seq * 700,
        gnss_fix: 1,
      };
    case 'energy':
      return {
        energy_import_t1: 5_000_000 + seq * 8,
        power_import: 480 + (seq % 4) * 20,
        voltage_l1: 229.5 + (seq % 3),
      };
  }
}

/** The body of reading `seq` of a device, taken `ageMs` before `now`; vehicles carry their GNSS position. */
export function bodyOf(d: FleetDevice, seq: number, ts: number): ReadingBody {
  const loc =
    d.kind === 'vehicle' ? { loc: { lat: 52.0 + seq * 0.001, lon: 5.0 + seq * 0.0015, hdop: 0.9, sats: 9 } } : {};
  return { v: 1, device: d.keys.deviceId, kind: d.kind, seq, ts, ...loc, metrics: metricsOf(d.kind, seq) };
}

export interface Traffic {
  readonly messages: Message[];
  /** readings that must end up stored, per device id */
  readonly stored: Map<string, number>;
  /** quarantine reasons the traffic must produce (at least once each) */
  readonly reasons: readonly string[];
}

/**
 * The fleet's last half hour at one reading a minute. The focus device (first weather station) also drains a
 * backlog from three hours ago as a batch (seq 0..4), skips seq 20, reports one out-of-range temperature, sends one
 * reading with a forged signature and replays a seq with a different body; a stranger publishes, and one
 * message is not JSON. `suspended` devices keep publishing: their readings are refused.
 */
export function trafficOf(
  fleet: readonly FleetDevice[],
  focus: FleetDevice,
  suspended: FleetDevice,
  now: number,
): Traffic {
  const messages: Message[] = [];
  const stored = new Map<string, number>();
  const at = (i: number) => now - (READINGS_PER_DEVICE - i) * MINUTE;
  for (const d of fleet) {
    const signer = new TweetnaclSigner(d.keys);
    const topic = readingsTopic(d.keys.deviceId);
    if (d === focus) {
      const backlog = [0, 1, 2, 3, 4].map((seq) => bodyOf(d, seq, now - 3 * 60 * MINUTE + seq * MINUTE));
      messages.push({ topic, payload: encodeBatch(backlog, signer) });
    }
    let count = d === focus ? 5 : 0;
    for (let i = 1; i <= READINGS_PER_DEVICE; i++) {
      const seq = d === focus ? i + 4 : i - 1; // seqs start at 0 (PROTOCOL.md)
      if (d === focus && seq === 20) {
        continue; // lost on the way: a seq gap
      }
      const body = bodyOf(d, seq, at(i));
      const odd = d === focus && seq === 25 ? { ...body, metrics: { ...body.metrics, temperature: 75 } } : body;
      messages.push({ topic, payload: encodeSingle(odd, signer) });
      count += 1;
    }
    stored.set(d.keys.deviceId, d === suspended ? 0 : count);
  }
  const focusTopic = readingsTopic(focus.keys.deviceId);
  const forged = JSON.parse(encodeSingle(bodyOf(focus, 100, now - MINUTE), new TweetnaclSigner(focus.keys))) as {
    sig: string;
  };
  forged.sig = Buffer.alloc(64, 7).toString('base64');
  messages.push({ topic: focusTopic, payload: JSON.stringify(forged) });
  const replay = bodyOf(focus, 10, now - 2 * MINUTE);
  messages.push({
    topic: focusTopic,
    payload: encodeSingle({ ...replay, metrics: { temperature: -3 } }, new TweetnaclSigner(focus.keys)),
  });
  messages.push({ topic: focusTopic, payload: '{"v":1,"type":"reading",' });
  const stranger = generateKeyPair();
  messages.push({
    topic: readingsTopic(stranger.deviceId),
    payload: encodeSingle(bodyOf({ ...focus, keys: stranger }, 1, now - MINUTE), new TweetnaclSigner(stranger)),
  });
  return {
    messages,
    stored,
    reasons: ['BAD_SIGNATURE', 'REPLAYED_SEQ', 'MALFORMED_JSON', 'UNKNOWN_DEVICE', 'DEVICE_SUSPENDED'],
  };
}
