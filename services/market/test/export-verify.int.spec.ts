import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@groundtruth/protocol';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogueRepository } from '../src/db/catalogue.repository.js';
import {
  buildManifest,
  DATA_FILE_NAMES,
  exportDataset,
  exportMetrics,
  NetworkKey,
  parseDatasetQuery,
  RowCodec,
  streamEncodedRows,
  runVerifyExportCli,
  streamDatasetRows,
  verifyExport,
  writeEncodedExport,
  writeExport,
  type ExportFormat,
  type FrozenQuery,
} from '../src/index.js';
import { BERLIN, DAY, MarketDb, seedWeatherFleet } from './market-fixture.js';

const key = NetworkKey.fromSecret(Buffer.alloc(32, 3));
/** Worker threads run the TypeScript sources through the same SWC transform as vitest. */
const WORKER_EXEC_ARGV = [
  '--conditions=@groundtruth/source',
  '--import',
  new URL('../../../test/support/ts-register.mjs', import.meta.url).href,
];
const license = { id: 'CC-BY-4.0', name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' };
let db: MarketDb;
let devices: string[];

interface ExportedRow {
  device: string;
  batch_root: string | null;
  body: string;
  metrics: { humidity: number };
}

const query = (extra: Record<string, unknown> = {}): FrozenQuery => ({
  ...parseDatasetQuery({ kind: 'weather', from: DAY, to: DAY + 86_400_000, ...extra }),
  asOf: DAY + 2 * 86_400_000,
});

/** Exports a query from the database into `<db.dir>/<name>/` with its signed manifest. */
async function exportTo(name: string, q: FrozenQuery, format: ExportFormat): Promise<string> {
  const dir = join(db.dir, name);
  await mkdir(dir, { recursive: true });
  const codec = new RowCodec(exportMetrics(q));
  const summary = await exportDataset(
    db.pool,
    q,
    codec,
    format,
    createWriteStream(join(dir, DATA_FILE_NAMES[format])),
    {
      rowGroupSize: 50,
    },
  );
  const manifest = buildManifest({ orderId: name, query: q, format, codec, summary, license, createdAt: DAY }, key);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

beforeAll(async () => {
  db = await MarketDb.create();
  ({ devices } = await seedWeatherFleet(db, [generateKeyPair().deviceId]));
});

afterAll(async () => {
  await db?.close();
});

describe('catalogue counts on the real database', () => {
  const catalogue = () => new CatalogueRepository(db.pool);

  it('counts rows and devices, filtered by metrics, flags, region and asOf', async () => {
    expect(await catalogue().stats(query())).toMatchObject({
      rows: 180,
      devices: 3,
      first: DAY,
      last: DAY + 59 * 60_000,
    });
    // wind_direction is missing from every 3rd reading
    expect((await catalogue().stats(query({ metrics: 'wind_direction' }))).rows).toBe(120);
    // station 0 has 8 flagged readings (seq 7, 14, …, 56)
    const unflagged = await catalogue().stats(query({ excludeFlagged: true }));
    expect(unflagged.perDevice.find((d) => d.device === devices[0])?.rows).toBe(52);
    // a box around Utrecht: station 0 (its own GNSS) and station 2 (declared location), not Berlin
    const box = await catalogue().stats(query({ bbox: [5.0, 52.0, 5.3, 52.2] }));
    expect(box.perDevice.map((d) => d.device).sort()).toEqual([devices[0], devices[2]].sort());
    // the H3 cell holding Berlin only
    const cell = latLngToCell(BERLIN.lat, BERLIN.lon, 8);
    expect((await catalogue().stats(query({ cells: cell }))).perDevice).toEqual([{ device: devices[1], rows: 60 }]);
    // frozen before the readings were received: nothing
    const early: FrozenQuery = { ...query(), asOf: DAY - 1 };
    expect((await catalogue().stats(early)).rows).toBe(0);
  });
});

describe('export and verify-export', () => {
  it('reads the same rows in keyset pages (copy: false) as with COPY, in the same order', async () => {
    const collect = async (copy: boolean) => {
      const rows: unknown[] = [];
      for await (const batch of streamDatasetRows(db.pool, query(), { copy, pageSize: 11 })) {
        rows.push(...batch);
      }
      return rows;
    };
    const copied = await collect(true);
    expect(copied).toHaveLength(180);
    expect(await collect(false)).toEqual(copied);
  });

  it.each(['csv', 'jsonl', 'parquet'] as const)(
    'exports %s with provenance that verify-export accepts',
    async (format) => {
      const dir = await exportTo(`all-${format}`, query(), format);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({
        rows: 180,
        devices: 3,
        timeRange: { first: DAY, last: DAY + 59 * 60_000 },
        network: key.publicKey,
      });
      const report = await verifyExport(dir, { networkKey: key.publicKey });
      expect(report.failures).toEqual([]);
      expect(report.badRows).toEqual([]);
      expect(report).toMatchObject({ ok: true, rows: 180, format });
    },
  );

  it('gives the same Merkle root in every format (the root covers rows, not bytes)', async () => {
    const roots = await Promise.all(
      (['csv', 'jsonl', 'parquet'] as const).map(async (format) => {
        const dir = await exportTo(`root-${format}`, query({ bbox: [5.0, 52.0, 5.3, 52.2] }), format);
        return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).merkle.root as string;
      }),
    );
    expect(new Set(roots).size).toBe(1);
  });

  it('names a tampered CSV row and fails the root and digest', async () => {
    // Given an honest export of Utrecht's station
    const dir = await exportTo('tamper-csv', query(), 'csv');
    const path = join(dir, 'data.csv');
    const lines = (await readFile(path, 'utf8')).split('\n');
    // When someone raises one temperature column (line 11) and forges another row's signed body (line 41)
    const columns = lines[0]!.split(',');
    const t = columns.indexOf('temperature');
    const fields = lines[10]!.split(',');
    fields[t] = String(Number(fields[t]) + 5);
    lines[10] = fields.join(',');
    lines[40] = lines[40]!.replace(/""humidity"":(\d+)/, (_m, h: string) => `""humidity"":${Number(h) + 1}`);
    await writeFile(path, lines.join('\n'));
    // Then verify-export fails and names both rows with their reasons
    const report = await verifyExport(dir);
    expect(report.ok).toBe(false);
    expect(report.badRows.map((r) => [r.line, r.code])).toEqual([
      [11, 'CONTENT_MISMATCH'],
      [41, expect.stringMatching(/^(BAD_SIGNATURE|BAD_PROOF|CONTENT_MISMATCH)$/)],
    ]);
    expect(report.failures.map((f) => f.code)).toEqual([
      'MANIFEST_ROOT_MISMATCH',
      'CHUNK_MISMATCH',
      'FILE_DIGEST_MISMATCH',
    ]);
    // And the readable problem list names each of them
    expect(report.problems.map((p) => [p.code, p.line])).toEqual([
      ['MANIFEST_ROOT_MISMATCH', null],
      ['CHUNK_MISMATCH', null],
      ['FILE_DIGEST_MISMATCH', null],
      ['CONTENT_MISMATCH', 11],
      [expect.any(String), 41],
    ]);
    expect(report.problems[3]!.message).toBe('line 11: CONTENT_MISMATCH (temperature differs from the signed body)');
  });

  it('localises a changed quality flag (not signed by the device) to its chunk of rows', async () => {
    // Given an export in chunks of 16 rows
    const dir = join(db.dir, 'tamper-qflags');
    await mkdir(dir, { recursive: true });
    const q = query();
    const codec = new RowCodec(exportMetrics(q));
    const summary = await writeExport(
      streamDatasetRows(db.pool, q),
      codec,
      'csv',
      createWriteStream(join(dir, 'data.csv')),
      { chunkSize: 16 },
    );
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify(
        buildManifest({ orderId: 'q', query: q, format: 'csv', codec, summary, license, createdAt: DAY }, key),
      ),
    );
    // When a flagged row (qflags 4) is passed off as clean
    const path = join(dir, 'data.csv');
    const lines = (await readFile(path, 'utf8')).split('\n');
    const flagged = lines.findIndex((line) => line.includes(',4,"'));
    lines[flagged] = lines[flagged]!.replace(',4,"', ',0,"');
    await writeFile(path, lines.join('\n'));
    // Then every row still proves its reading, but the chunk holding that line is named
    const report = await verifyExport(dir);
    expect(report.badRows).toEqual([]);
    const chunk = Math.floor((flagged - 1) / 16);
    expect(report.failures.filter((f) => f.code === 'CHUNK_MISMATCH').map((f) => f.detail)).toEqual([
      `rows ${chunk * 16 + 1}–${chunk * 16 + 16} (lines ${chunk * 16 + 2}–${chunk * 16 + 17}) differ from what the manifest signed`,
    ]);
  });

  it('names a forged single-envelope body as BAD_SIGNATURE and a forged batch body as BAD_PROOF', async () => {
    const dir = await exportTo('tamper-jsonl', query(), 'jsonl');
    const path = join(dir, 'data.jsonl');
    const rows = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedRow);
    const forge = (row: ExportedRow) => {
      const body = JSON.parse(row.body) as { metrics: { humidity: number } };
      body.metrics.humidity += 1;
      row.metrics.humidity = body.metrics.humidity;
      row.body = JSON.stringify(body);
    };
    const single = rows.findIndex((r) => r.device === devices[0] && r.batch_root === null);
    const batched = rows.findIndex((r) => r.device === devices[2]);
    forge(rows[single]!);
    forge(rows[batched]!);
    await writeFile(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = await verifyExport(dir);
    expect(report.badRows).toEqual(
      [
        { line: single + 1, code: 'BAD_SIGNATURE', detail: expect.any(String) },
        { line: batched + 1, code: 'BAD_PROOF', detail: expect.any(String) },
      ].sort((a, b) => a.line - b.line),
    );
  });

  it('fails a tampered manifest on its network signature, and a dropped row on the count and root', async () => {
    const dir = await exportTo('tamper-manifest', query(), 'csv');
    const manifestPath = join(dir, 'manifest.json');
    const honest = await readFile(manifestPath, 'utf8');
    const doctored = JSON.parse(honest);
    doctored.license.id = 'CC0-1.0';
    await writeFile(manifestPath, JSON.stringify(doctored));
    const doctoredReport = await verifyExport(dir);
    expect(doctoredReport.failures.map((f) => f.code)).toEqual(['BAD_NETWORK_SIGNATURE']);
    expect(doctoredReport.problems.map((p) => p.message)).toEqual([
      'BAD_NETWORK_SIGNATURE: the manifest signature does not verify against its network key',
    ]);
    // a manifest re-signed by someone else's key: valid on its own, not the network's
    const other = NetworkKey.fromSecret(Buffer.alloc(32, 4));
    const { signature: _s, network: _n, ...unsigned } = JSON.parse(honest);
    await writeFile(manifestPath, JSON.stringify((await import('../src/index.js')).signManifest(unsigned, other)));
    expect((await verifyExport(dir, { networkKey: key.publicKey })).failures.map((f) => f.code)).toEqual([
      'NETWORK_KEY_MISMATCH',
    ]);
    // the honest manifest with one row dropped from the data
    await writeFile(manifestPath, honest);
    const data = join(dir, 'data.csv');
    const lines = (await readFile(data, 'utf8')).split('\n');
    lines.splice(5, 1);
    await writeFile(data, lines.join('\n'));
    expect((await verifyExport(dir)).failures.map((f) => f.code)).toEqual([
      'COUNT_MISMATCH',
      'MANIFEST_ROOT_MISMATCH',
      'CHUNK_MISMATCH',
      'FILE_DIGEST_MISMATCH',
    ]);
  });

  it('gives the same verdicts checking rows in worker threads as in this thread', async () => {
    // Given a CSV export with a forged row (line 21) and a dropped one
    const dir = await exportTo('workers', query(), 'csv');
    const path = join(dir, 'data.csv');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[20] = lines[20]!.replace(/""humidity"":(\d+)/, (_m, h: string) => `""humidity"":${Number(h) + 1}`);
    lines.splice(30, 1);
    await writeFile(path, lines.join('\n'));
    // When two worker threads check it (running these sources through the TS hooks), and this thread does
    // (one pool per test process: Node 20 crashes starting a hooked worker after another one ended)
    const inWorkers = await verifyExport(dir, { workers: 2, workerExecArgv: WORKER_EXEC_ARGV });
    const inProcess = await verifyExport(dir, { workers: 0 });
    // Then both name the same problems
    expect(inWorkers.problems).toEqual(inProcess.problems);
    expect(inWorkers).toMatchObject({ ok: false, rows: 179 });
    expect(inWorkers.badRows.map((r) => [r.line, r.code])).toEqual([[21, 'CONTENT_MISMATCH']]);
    expect(inWorkers.failures.map((f) => f.code)).toContain('COUNT_MISMATCH');
  });

  it('runs as a CLI: exit 0 for an honest export, 1 naming the bad rows, 2 for bad usage', async () => {
    const dir = await exportTo('cli', query(), 'csv');
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    expect(await runVerifyExportCli([join(dir, 'data.csv'), '--network-key', key.publicKey], io)).toBe(0);
    expect(out[0]).toMatch(/^OK: /);
    const path = join(dir, 'data.csv');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/,4,"/, ',0,"'));
    out.length = 0;
    expect(await runVerifyExportCli([dir], io)).toBe(1);
    expect(out.join('\n')).toMatch(/CHUNK_MISMATCH: rows 1–1024 \(lines 2–181\)/);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/""temperature"":/, '""temperature"":1'));
    out.length = 0;
    expect(await runVerifyExportCli([dir], io)).toBe(1);
    expect(out.join('\n')).toMatch(/line \d+: (BAD_SIGNATURE|CONTENT_MISMATCH)/);
    expect(await runVerifyExportCli([], io)).toBe(2);
    expect(await runVerifyExportCli([join(db.dir, 'missing')], io)).toBe(1);
  });
});

describe('CSV and JSONL built from binary COPY fields', () => {
  const FROM = DAY + 10 * 86_400_000;
  /**
   * Frozen after the last row below was received. Not Date.now(): it counts whole milliseconds, so a row received
   * in the same millisecond (received_at has microseconds) would fall after it and be left out.
   */
  let asOf = 0;
  const awkward = (extra: Record<string, unknown> = {}): FrozenQuery => ({
    ...parseDatasetQuery({ kind: 'weather', from: FROM, to: FROM + 86_400_000, ...extra }),
    asOf,
  });
  /** Every number form where PostgreSQL's float8 text and ECMAScript's differ, and their neighbours. */
  const NUMBERS = [
    0,
    -0,
    1e-7,
    1.5e-7,
    1e-6,
    1.25e-5,
    9.99e-5,
    1e-4,
    0.1 + 0.2,
    -123.456,
    1e14,
    999999999999999.9,
    1e15,
    -1.5e15,
    1e20,
    1e21,
    1.2e21,
    5e-324,
    1.7976931348623157e308,
    -1e-300,
    123456789.123,
    23.4,
  ];
  const BODIES = [
    '{"device":"x","v":1}',
    'back\\slash and "quotes"',
    'controls \u0001\b\f\n\r\t\u001f end',
    'unicode é ∑ 😀 and DEL \u007f',
  ];

  beforeAll(async () => {
    const device = devices[0]!;
    const root = Buffer.alloc(32, 7);
    const rows = NUMBERS.map((value, i) => {
      const batch = i % 4;
      return [
        device,
        // one seq beyond 2^53: JavaScript rounds it on every path
        i === 5 ? '9007199254740993' : String(1000 + i),
        new Date(FROM + i * 60_000).toISOString(),
        i % 3 === 0 ? null : NUMBERS[(i + 7) % NUMBERS.length],
        i % 5 === 0 ? null : NUMBERS[(i + 3) % NUMBERS.length],
        i % 2 === 0 ? null : NUMBERS[(i + 11) % NUMBERS.length],
        value,
        i % 4 === 0 ? null : NUMBERS[(i * 5) % NUMBERS.length],
        BODIES[i % BODIES.length],
        Buffer.alloc(64, i),
        // single envelope, single with an empty proof, batch with an empty proof, batch with an audit path
        batch < 2 ? null : root,
        batch < 2 ? null : i,
        batch < 2 ? null : 64,
        batch === 0 ? null : batch === 3 ? Buffer.alloc(96, 9) : Buffer.alloc(0),
        i % 7,
      ];
    });
    for (const row of rows) {
      await db.pool.query(
        `INSERT INTO readings_weather (device_id, seq, ts, lat, lon, alt, temperature, humidity, body, sig, batch_root,
           batch_index, batch_size, proof, qflags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        row,
      );
    }
    const received = await db.pool.query<{ ms: number }>(
      `SELECT ceil(extract(epoch FROM max(received_at)) * 1000)::float8 AS ms FROM readings_weather`,
    );
    asOf = received.rows[0]!.ms;
  });

  const exportBytes = async (format: 'csv' | 'jsonl', q: FrozenQuery, how: 'rows' | 'copy') => {
    const codec = new RowCodec(exportMetrics(q));
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const summary =
      how === 'rows'
        ? await writeExport(streamDatasetRows(db.pool, q, { copy: false, pageSize: 7 }), codec, format, out)
        : await writeEncodedExport(streamEncodedRows(db.pool, q, codec, format), codec, format, out);
    return { bytes: Buffer.concat(chunks).toString('utf8'), summary };
  };

  it.each(['csv', 'jsonl'] as const)('writes the same %s bytes and root as encoding row objects', async (format) => {
    // humidity is missing from every 4th row
    const queries = [
      [awkward(), NUMBERS.length],
      [awkward({ metrics: 'temperature,humidity' }), NUMBERS.length - 6],
    ] as const;
    for (const [q, rows] of queries) {
      const reference = await exportBytes(format, q, 'rows');
      expect(reference.summary.rows).toBe(rows);
      const copied = await exportBytes(format, q, 'copy');
      expect(copied.bytes).toBe(reference.bytes);
      expect(copied.summary).toEqual(reference.summary);
    }
  });

  it('writes numbers as JavaScript does and bodies escaped as JSON.stringify does', async () => {
    const { bytes } = await exportBytes('jsonl', awkward({ metrics: 'temperature' }), 'copy');
    const lines = bytes.trimEnd().split('\n');
    const temperatures = lines.map(
      (line) => (JSON.parse(line) as { metrics: { temperature: number } }).metrics.temperature,
    );
    expect(temperatures).toEqual(NUMBERS.map((n) => (Object.is(n, -0) ? 0 : n)));
    expect(lines[2]).toContain('"metrics":{"temperature":1e-7}');
    expect(lines[5]).toContain('"seq":9007199254740992');
    expect(lines[12]).toContain('"temperature":1000000000000000}');
    expect((JSON.parse(lines[2]!) as { body: string }).body).toBe(BODIES[2]);
  });

  it('keeps the rows of an H3 cell query on both paths alike', async () => {
    // row 14 is at lat 23.4, lon 1e-7
    const q: FrozenQuery = { ...awkward(), region: { cells: [latLngToCell(23.4, 1e-7, 5)] } };
    const reference = await exportBytes('csv', q, 'rows');
    expect(reference.summary.rows).toBe(1);
    const copied = await exportBytes('csv', q, 'copy');
    expect(copied.bytes).toBe(reference.bytes);
  });
});
