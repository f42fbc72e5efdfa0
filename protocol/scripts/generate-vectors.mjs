// Writes test-vectors/v1.json from the built protocol package (`npm run build` first).
// The vectors pin the wire format: any change in their bytes is a protocol change (see PROTOCOL.md, versioning).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  batchInclusion,
  canonicalizeReadingBody,
  decodeEnvelope,
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  leafHash,
  TweetnaclSigner,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const seed = (byte) => new Uint8Array(32).fill(byte);
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

const weatherKeys = keyPairFromSeed(seed(1));
const vehicleKeys = keyPairFromSeed(seed(2));
const energyKeys = keyPairFromSeed(seed(3));

function single(name, keys, body) {
  const envelope = encodeSingle(body, new TweetnaclSigner(keys));
  const canonical = canonicalizeReadingBody(body);
  return {
    name,
    seed_hex: hex(keys.secretKey.subarray(0, 32)),
    device: keys.deviceId,
    body,
    canonical_hex: Buffer.from(canonical, 'utf8').toString('hex'),
    canonical_text: canonical,
    sig_b64: JSON.parse(envelope).sig,
    envelope,
  };
}

const weather = (seq, extra = {}) => ({
  v: 1,
  device: weatherKeys.deviceId,
  kind: 'weather',
  seq,
  ts: T0 + seq * 60_000,
  loc: { lat: 52.0907, lon: 5.1214, alt: 5 },
  metrics: {
    temperature: 11.3,
    humidity: 81,
    pressure: 101325,
    wind_speed: 3.4,
    wind_gust: 6.1,
    wind_direction: 220,
    ...extra,
  },
});

const valid = [
  single(
    'weather station, all common metrics',
    weatherKeys,
    weather(1, { solar_irradiance: 312.5, uv_index: 2.1, rain_rate: 0 }),
  ),
  single(
    'weather, value outside physical range is still valid on the wire',
    weatherKeys,
    weather(2, { temperature: 99.9 }),
  ),
  single('vehicle with GNSS location, hdop and satellites', vehicleKeys, {
    v: 1,
    device: vehicleKeys.deviceId,
    kind: 'vehicle',
    seq: 1042,
    ts: T0 + 1500,
    loc: { lat: 48.85837, lon: 2.294481, alt: 35.2, hdop: 0.9, sats: 11 },
    metrics: {
      speed: 13.888888888888889,
      rpm: 2150.5,
      coolant_temperature: 88,
      fuel_level: 62.35294117647059,
      odometer: 123456700,
      gnss_fix: 1,
    },
  }),
  single('energy meter without location, large register values', energyKeys, {
    v: 1,
    device: energyKeys.deviceId,
    kind: 'energy',
    seq: 0,
    ts: T0,
    metrics: {
      energy_import_t1: 123456789,
      energy_import_t2: 98765432,
      energy_export_t1: 1234,
      energy_export_t2: 0,
      power_import: 1210,
      power_export: 0,
      voltage_l1: 229.8,
      current_l1: 5,
    },
  }),
  single(
    'negative and tiny numbers (RFC 8785 number form)',
    weatherKeys,
    weather(3, { temperature: -12.5, dew_point: -15.25, rain_rate: 0.000001 }),
  ),
];

function batch(name, keys, bodies) {
  const envelope = encodeBatch(bodies, new TweetnaclSigner(keys));
  const decoded = decodeEnvelope(Buffer.from(envelope));
  if (!decoded.ok) throw decoded.error;
  return {
    name,
    seed_hex: hex(keys.secretKey.subarray(0, 32)),
    device: keys.deviceId,
    bodies,
    leaf_hex: bodies.map((body) => hex(leafHash(Buffer.from(canonicalizeReadingBody(body), 'utf8')))),
    root_hex: hex(decoded.value.tree.root),
    sig_b64: JSON.parse(envelope).sig,
    proofs: bodies.map((_, i) => batchInclusion(decoded.value, i).proof.map(hex)),
    envelope,
  };
}

const batches = [
  batch('one reading', weatherKeys, [weather(10)]),
  batch('three readings (unbalanced tree)', weatherKeys, [weather(11), weather(12), weather(13)]),
  batch(
    'seven readings',
    weatherKeys,
    Array.from({ length: 7 }, (_, i) => weather(20 + i)),
  ),
];

const good = JSON.parse(valid[0].envelope);
const swap = (obj, patch) => JSON.stringify({ ...obj, ...patch });
const goodBatch = JSON.parse(batches[1].envelope);
const flipSig = (b64) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] ^= 1;
  return bytes.toString('base64');
};

const invalid = [
  { name: 'not JSON', envelope: '{"v":1,', error: 'MALFORMED_JSON' },
  { name: 'JSON but not an object', envelope: '[1,2,3]', error: 'SCHEMA' },
  { name: 'unknown envelope type', envelope: swap(good, { type: 'telemetry' }), error: 'SCHEMA' },
  { name: 'future protocol version', envelope: swap(good, { v: 2 }), error: 'UNSUPPORTED_VERSION' },
  { name: 'unknown top-level field', envelope: swap(good, { extra: true }), error: 'SCHEMA' },
  {
    name: 'device id is not base58 of 32 bytes',
    envelope: swap(good, { body: { ...good.body, device: 'not-a-key' } }),
    error: 'BAD_DEVICE_ID',
  },
  {
    name: 'unknown hardware kind',
    envelope: swap(good, { body: { ...good.body, kind: 'toaster' } }),
    error: 'UNKNOWN_KIND',
  },
  { name: 'seq is negative', envelope: swap(good, { body: { ...good.body, seq: -1 } }), error: 'BAD_SEQ' },
  { name: 'seq is not an integer', envelope: swap(good, { body: { ...good.body, seq: 1.5 } }), error: 'BAD_SEQ' },
  {
    name: 'timestamp in seconds, not milliseconds',
    envelope: swap(good, { body: { ...good.body, ts: 1764072000 } }),
    error: 'BAD_TIMESTAMP',
  },
  {
    name: 'timestamp not an integer',
    envelope: swap(good, { body: { ...good.body, ts: T0 + 0.5 } }),
    error: 'BAD_TIMESTAMP',
  },
  {
    name: 'latitude beyond the pole',
    envelope: swap(good, { body: { ...good.body, loc: { lat: 91, lon: 0 } } }),
    error: 'BAD_LOCATION',
  },
  {
    name: 'metric not in the catalogue of its kind',
    envelope: swap(good, { body: { ...good.body, metrics: { rpm: 900 } } }),
    error: 'UNKNOWN_METRIC',
  },
  {
    name: 'metric value overflows to infinity',
    envelope: JSON.stringify(good).replace('"humidity":81', '"humidity":1e999'),
    error: 'NON_FINITE_NUMBER',
  },
  {
    name: 'metric value is a string',
    envelope: swap(good, { body: { ...good.body, metrics: { temperature: '11.3' } } }),
    error: 'SCHEMA',
  },
  { name: 'no metrics', envelope: swap(good, { body: { ...good.body, metrics: {} } }), error: 'SCHEMA' },
  { name: 'signature not 64 bytes of base64', envelope: swap(good, { sig: 'AAAA' }), error: 'MALFORMED_SIGNATURE' },
  {
    name: 'signature does not verify (one bit flipped)',
    envelope: swap(good, { sig: flipSig(good.sig) }),
    error: 'BAD_SIGNATURE',
  },
  {
    name: 'body altered after signing',
    envelope: swap(good, { body: { ...good.body, metrics: { ...good.body.metrics, temperature: 11.4 } } }),
    error: 'BAD_SIGNATURE',
  },
  {
    name: 'single envelope over 4 KiB',
    envelope: swap(good, { body: { ...good.body, device: good.body.device + ' '.repeat(4200) } }),
    error: 'TOO_LARGE',
  },
  { name: 'empty batch', envelope: swap(goodBatch, { bodies: [] }), error: 'EMPTY_BATCH' },
  {
    name: 'batch with more than 1000 readings',
    envelope: swap(goodBatch, { bodies: Array.from({ length: 1001 }, () => 0) }),
    error: 'TOO_MANY_READINGS',
  },
  {
    name: 'batch body from another device',
    envelope: swap(goodBatch, {
      bodies: [goodBatch.bodies[0], { ...goodBatch.bodies[1], device: vehicleKeys.deviceId }],
    }),
    error: 'BATCH_DEVICE_MISMATCH',
  },
  {
    name: 'batch seq not increasing',
    envelope: swap(goodBatch, { bodies: [goodBatch.bodies[1], goodBatch.bodies[0]] }),
    error: 'BATCH_SEQ_NOT_INCREASING',
  },
  {
    name: 'batch with a reading removed',
    envelope: swap(goodBatch, { bodies: goodBatch.bodies.slice(0, 2) }),
    error: 'BAD_SIGNATURE',
  },
];

const vectors = {
  description:
    'GroundTruth wire protocol v1 test vectors. seed_hex is the 32-byte ed25519 seed; envelope is the exact MQTT payload text; error is the code decoding (and verifying) must return. See protocol/PROTOCOL.md.',
  valid,
  batches,
  invalid,
};
writeFileSync(join(here, '..', 'test-vectors', 'v1.json'), JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote ${valid.length} valid, ${batches.length} batch and ${invalid.length} invalid vectors`);
