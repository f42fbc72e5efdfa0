import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import type { Logger } from '@groundtruth/service-kit';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { encodeCopyRows, readingRecords, type StoredReading } from './copy.encoder.js';
import type { QuarantineRow } from './envelope.checks.js';
import { QFLAG } from './quality.flags.js';
import { CREATE_STAGING, ENSURE_DEVICE_STATE, INSERT_QUARANTINE, KIND_SQL, LOCK_DEVICE_STATE } from './readings.sql.js';
import { EMPTY_HISTORY, loadHistory, updateSeqState } from './seq-state.queries.js';
import { candidatesNeedingHistory, classifySeqs, type DeviceSeqState } from './seq.classifier.js';

/** A reading that passed every check before storage, and how to quarantine it if its seq is refused. */
export interface WriteCandidate {
  readonly reading: StoredReading;
  readonly quarantine: (code: 'REPLAYED_SEQ' | 'NON_INCREASING_SEQ', detail: string) => QuarantineRow;
}

export interface WriteRequest {
  readonly candidates: readonly WriteCandidate[];
  /** rows refused before storage; written in the same transaction */
  readonly quarantine: readonly QuarantineRow[];
}

export interface WriteOutcome {
  readonly accepted: readonly StoredReading[];
  readonly duplicates: number;
  /** every quarantine row written: the request's plus seq refusals */
  readonly quarantined: readonly QuarantineRow[];
  readonly newGaps: number;
  readonly committedAt: number;
  readonly transactionMs: number;
}

/** The storage side of the ingest: one call = one transaction, committed or rolled back as a whole. */
export interface ReadingsWriter {
  write(request: WriteRequest): Promise<WriteOutcome>;
  close(): Promise<void>;
}

export interface ReadingsRepositoryOptions {
  readonly lateWindowMs: number;
  /** connections writing at once (default 2): batches of different devices commit in parallel */
  readonly connections?: number;
  /** COPY into staging tables (default true); false inserts from JSON, for servers without COPY FROM STDIN */
  readonly copy?: boolean;
  /** server-side statement timeout of the writer connection (ms) */
  readonly statementTimeoutMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Writes a batch in one transaction on a dedicated connection: lock the devices' seq state, classify seqs
 * (new, late, duplicate, replayed, rewound), COPY the new readings into per-connection staging tables and
 * `INSERT … ON CONFLICT DO NOTHING` them into the hypertables, update the seq state and gaps, insert the
 * quarantine rows, COMMIT. Any failure rolls back; the caller retries and acknowledges nothing meanwhile.
 */
export class ReadingsRepository implements ReadingsWriter {
  /** idle connections; each holds its own staging tables, so a connection runs one transaction at a time */
  private readonly idle: pg.Client[] = [];
  /** connections that emitted an error while idle or busy */
  private readonly broken = new WeakSet<pg.Client>();
  private readonly waiters: ((client: pg.Client | undefined) => void)[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly options: ReadingsRepositoryOptions,
    private readonly logger: Logger,
  ) {}

  async write(request: WriteRequest): Promise<WriteOutcome> {
    const client = await this.acquire();
    const started = performance.now();
    let healthy = true;
    try {
      await client.query('BEGIN');
      const { accepted, duplicates, seqRejects, newGaps } = await this.storeReadings(client, request.candidates);
      const quarantined = seqRejects.length === 0 ? request.quarantine : [...request.quarantine, ...seqRejects];
      if (quarantined.length > 0) {
        await insertQuarantine(client, quarantined);
      }
      await client.query('COMMIT');
      return {
        accepted,
        duplicates,
        quarantined,
        newGaps,
        committedAt: Date.now(),
        transactionMs: performance.now() - started,
      };
    } catch (error) {
      healthy = await rollback(client);
      throw error;
    } finally {
      this.release(client, healthy);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter(undefined);
    }
    await Promise.all(this.idle.splice(0).map((client) => client.end().catch(() => undefined)));
  }

  private async storeReadings(client: pg.Client, candidates: readonly WriteCandidate[]) {
    const accepted: StoredReading[] = [];
    const seqRejects: QuarantineRow[] = [];
    if (candidates.length === 0) {
      return { accepted, duplicates: 0, seqRejects, newGaps: 0 };
    }
    const devices = [...new Set(candidates.map((c) => c.reading.body.device))].sort();
    await client.query(ENSURE_DEVICE_STATE, [devices]);
    const locked = await client.query<{ device_id: string; high_seq: string; readings: string }>(LOCK_DEVICE_STATE, [
      devices,
    ]);
    const highs = new Map<string, number | undefined>();
    for (const row of locked.rows) {
      highs.set(row.device_id, row.readings === '0' ? undefined : Number(row.high_seq));
    }
    const seqCandidates = candidates.map(({ reading }) => ({
      device: reading.body.device,
      seq: reading.body.seq,
      body: reading.canonical,
      kind: reading.body.kind,
    }));
    const needHistory = candidatesNeedingHistory(seqCandidates, highs);
    const { gaps, stored } = needHistory.length > 0 ? await loadHistory(client, needHistory) : EMPTY_HISTORY;
    const states = new Map<string, DeviceSeqState>();
    for (const [device, highSeq] of highs) {
      states.set(device, { highSeq, gaps: gaps.get(device) ?? [] });
    }
    const { verdicts, updates } = classifySeqs(seqCandidates, states, stored, {
      nowMs: Date.now(),
      lateWindowMs: this.options.lateWindowMs,
    });
    let duplicates = 0;
    verdicts.forEach((verdict, i) => {
      const candidate = candidates[i]!;
      switch (verdict.kind) {
        case 'accept':
          accepted.push(
            verdict.late
              ? { ...candidate.reading, qflags: candidate.reading.qflags | QFLAG.LATE_SEQ }
              : candidate.reading,
          );
          break;
        case 'duplicate':
          duplicates++;
          break;
        case 'reject':
          seqRejects.push(candidate.quarantine(verdict.code, verdict.detail));
          break;
      }
    });
    await this.insertReadings(client, accepted);
    await updateSeqState(client, updates, accepted);
    return { accepted, duplicates, seqRejects, newGaps: updates.reduce((n, u) => n + u.newGaps, 0) };
  }

  private async insertReadings(client: pg.Client, readings: readonly StoredReading[]): Promise<void> {
    for (const kind of HARDWARE_KINDS) {
      const rows = readings.filter((reading) => reading.body.kind === kind);
      if (rows.length === 0) {
        continue;
      }
      let inserted: pg.QueryResult;
      if (this.options.copy ?? true) {
        await copyInto(client, kind, encodeCopyRows(kind, rows));
        inserted = await client.query(KIND_SQL[kind].insert);
      } else {
        inserted = await client.query(KIND_SQL[kind].insertJson, [JSON.stringify(readingRecords(kind, rows))]);
      }
      if (inserted.rowCount !== rows.length) {
        // Cannot happen while the seq state is locked. If it does, say so loudly and acknowledge nothing.
        throw new Error(`staged ${rows.length} ${kind} readings but inserted ${inserted.rowCount}`);
      }
    }
  }

  /** A connection of its own for one transaction; at most `connections` are open. */
  private async acquire(): Promise<pg.Client> {
    if (this.closed) {
      throw new Error('the readings repository is closed');
    }
    const idle = this.idle.pop();
    if (idle !== undefined) {
      return idle;
    }
    if (this.open < (this.options.connections ?? 2)) {
      this.open++;
      try {
        return await this.connect();
      } catch (error) {
        this.open--;
        throw error;
      }
    }
    const client = await new Promise<pg.Client | undefined>((resolve) => this.waiters.push(resolve));
    if (client === undefined) {
      throw new Error('the readings repository is closed');
    }
    return client;
  }

  private release(client: pg.Client, healthy: boolean): void {
    if (!healthy || this.closed || this.broken.has(client)) {
      // Unusable (or closing): drop it; the next write opens a new one, with new staging tables.
      this.broken.delete(client);
      this.open--;
      void client.end().catch(() => undefined);
      const waiter = this.waiters.shift();
      if (waiter !== undefined) {
        this.open++;
        this.connect().then(waiter, (error: unknown) => {
          this.open--;
          this.logger.warn('ingest_writer_connect_failed', { error });
          waiter(undefined);
        });
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.idle.push(client);
    } else {
      waiter(client);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'gt-ingest-writer',
      keepAlive: true,
      statement_timeout: this.options.statementTimeoutMs ?? 60_000,
    });
    client.on('error', (error) => {
      this.logger.warn('ingest_writer_connection_error', { error });
      this.broken.add(client);
    });
    await client.connect();
    if (this.options.copy ?? true) {
      await client.query(CREATE_STAGING);
    }
    return client;
  }
}

/** Rolls back; false when the connection cannot even do that (it is dropped then). */
async function rollback(client: pg.Client): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

async function copyInto(client: pg.Client, kind: HardwareKind, rows: string): Promise<void> {
  const stream = client.query(copyStreams.from(KIND_SQL[kind].copy));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(rows);
  });
}

async function insertQuarantine(client: pg.Client, rows: readonly QuarantineRow[]): Promise<void> {
  await client.query(INSERT_QUARANTINE, [
    rows.map((r) => iso(r.receivedAt)),
    rows.map((r) => r.reason),
    rows.map((r) => r.topic),
    rows.map((r) => r.device ?? null),
    rows.map((r) => r.seq ?? null),
    rows.map((r) => r.detail),
    rows.map((r) => r.payload),
    rows.map((r) => r.payloadBytes),
  ]);
}
