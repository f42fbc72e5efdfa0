import { randomBytes } from 'node:crypto';
import { generateKeyPair, NodeCryptoVerifier, TweetnaclSigner, type DeviceKeyPair } from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvRecordSplitter } from '../src/core/csv-records.js';
import { checkRow, ownerExportMessage, RowCodec, rowFromFields, type OwnerExportRequest } from '../src/index.js';
import { DAY, MarketDb, seedWeatherFleet } from './market-fixture.js';
import { manualClock, MarketUnderTest } from './market-app.js';

const clock = manualClock(DAY + 2 * 86_400_000);
const owner: DeviceKeyPair = generateKeyPair();
const other: DeviceKeyPair = generateKeyPair();
let db: MarketDb;
let market: MarketUnderTest;
let devices: string[];

beforeAll(async () => {
  db = await MarketDb.create();
  ({ devices } = await seedWeatherFleet(db, [owner.deviceId, other.deviceId]));
  market = await MarketUnderTest.start(db, clock);
});

afterAll(async () => {
  await market?.close();
  await db?.close();
});

function signedUrl(device: string, signer: DeviceKeyPair, overrides: Partial<OwnerExportRequest> = {}): string {
  const request: OwnerExportRequest = {
    device,
    from: DAY,
    to: DAY + 30 * 60_000,
    expiresAt: clock.now() + 5 * 60_000,
    nonce: randomBytes(16).toString('hex'),
    ...overrides,
  };
  const signature = Buffer.from(new TweetnaclSigner(signer).sign(ownerExportMessage(request))).toString('base64');
  const query = new URLSearchParams({
    from: String(request.from),
    to: String(request.to),
    expiresAt: String(request.expiresAt),
    nonce: request.nonce,
    signature,
  });
  return `/devices/${device}/readings.csv?${query}`;
}

describe("owners' own data", () => {
  it('gives the owner their device readings as CSV for free, each row proven', async () => {
    // Given the owner wallet signs a request for half an hour of the batch station (device 2)
    const reply = await market.request('GET', signedUrl(devices[2]!, owner));
    // Then the CSV holds its 30 readings with provenance, every one verifying against the device key
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/csv');
    const lines = (reply.body as string).trimEnd().split('\n');
    const splitter = new CsvRecordSplitter();
    const header = splitter.push(lines[0]!)!;
    const codec = new RowCodec(header.slice(6, header.indexOf('qflags')));
    const rows = lines.slice(1).map((line) => rowFromFields(codec, splitter.push(line)!));
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.device))).toEqual(new Set([devices[2]]));
    const verifier = new NodeCryptoVerifier();
    expect(rows.map((row) => checkRow(codec, row, 'weather', verifier))).toEqual(rows.map(() => undefined));
    expect(rows.every((row) => row.batchRoot !== null)).toBe(true);
  });

  it('refuses anyone but the owner, a reused request and an expired one', async () => {
    const code = async (path: string) => {
      const reply = await market.request('GET', path);
      return [reply.status, reply.body.error?.code];
    };
    // device 1 belongs to `other`
    expect(await code(signedUrl(devices[1]!, owner))).toEqual([403, 'BAD_OWNER_SIGNATURE']);
    const once = signedUrl(devices[0]!, owner);
    expect((await market.request('GET', once)).status).toBe(200);
    expect(await code(once)).toEqual([409, 'OWNER_NONCE_REUSED']);
    expect(await code(signedUrl(devices[0]!, owner, { expiresAt: clock.now() - 1 }))).toEqual([
      410,
      'OWNER_AUTH_EXPIRED',
    ]);
    expect(await code(signedUrl(devices[0]!, owner, { expiresAt: clock.now() + 3_600_000 }))).toEqual([
      400,
      'BAD_QUERY',
    ]);
    expect(await code(signedUrl(generateKeyPair().deviceId, owner))).toEqual([404, 'UNKNOWN_DEVICE']);
    // a signature over other parameters than those asked
    expect(await code(signedUrl(devices[0]!, owner).replace(/to=\d+/, `to=${DAY + 86_400_000}`))).toEqual([
      403,
      'BAD_OWNER_SIGNATURE',
    ]);
  });
});
