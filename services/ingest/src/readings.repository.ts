import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import type { Logger } from '@groundtruth/service-kit';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { copyChunks } from './copy.encoder.js';
import type { QuarantineRow } from './envelope.checks.js';
import { QFLAG } from './quality.flags.js';
import { readingColumnTypes, readingRecords } from './reading.columns.js';
import {
  ENSURE_DEVICE_STATE,
  INSERT_QUARANTINE,
  KIND_SQL,
  LOCK_DEVICE_STATE,
  READING_COLUMN_TYPES,
} from './readings.sql.js';
import { EMPTY_HISTORY, loadHistory, updateSeqState } from './seq-state.queries.js';
import { candidatesNeedingHistory, classifySeqs, type DeviceSeqState, type SeqCandidate } from './seq.classifier.js';
import { withQflags, type StoredReading } from './stored.reading.js';
import { WriterConnections } from './writer.connections.js';

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

/**
 * A write's place in the order the batches were handed over: it begins, and locks its devices' seq state,
 * only after the write before it has locked theirs, and lets the next one go once it has. Writes then overlap
 * (the next one begins, and waits in PostgreSQL for the row locks it shares, while this one copies and
 * commits), and a device's readings still reach the seq state in the order they arrived.
 */
export interface WriteTurn {
  /** settles once the previous write holds its locks (or has ended) */
  readonly previousLocked: Promise<void>;
  /** called once this write holds its locks or has ended; more calls are ignored */
  readonly locked: () => void;
}

/** The storage side of the ingest: one call = one transaction, committed or rolled back as a whole. */
export interface ReadingsWriter {
  write(request: WriteRequest, turn?: WriteTurn): Promise<WriteOutcome>;
  close(): Promise<void>;
}

const ANY_TURN: WriteTurn = { previousLocked: Promise.resolve(), locked: () => undefined };

export interface ReadingsRepositoryOptions {
  readonly lateWindowMs: number;
  /** a verbatim copy of a stored reading arriving more than this after it is a replay (see SeqRules) */
  readonly replayAfterMs: number;
  /**
   * transactions open at once (default 1). With 2, the next batch's transaction begins and queues for the
   * seq-state row locks while the current one copies and commits (see {@link WriteTurn}). Writers sharing the
   * database (e.g. ingest instances) serialise per device on the same row locks.
   */
  readonly connections?: number;
  /** binary COPY (default true); false inserts from JSON, for servers without COPY FROM STDIN (PGlite's socket) */
  readonly copy?: boolean;
  /** server-side statement timeout of the writer connection (ms) */
  readonly statementTimeoutMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** How many devices the writer remembers as having a `device_state` row. */
const MAX_KNOWN_STATES = 200_000;

/** A candidate as the seq classifier sees it; the body is read only if a seq comes twice. */
class SeqView implements SeqCandidate {
  readonly device: string;
  readonly seq: number;
  readonly kind: HardwareKind;
  readonly receivedAt: number;
  constructor(private readonly reading: StoredReading) {
    this.device = reading.device;
    this.seq = reading.seq;
    this.kind = reading.kind;
    this.receivedAt = reading.receivedAt;
  }
  get body(): Buffer {
    return this.reading.canonical;
  }
}

/** Seq-state rows the writer knew to exist were gone (deleted from outside); the write is done again. */
class StateRowsMissing extends Error {
  constructor(readonly devices: readonly string[]) {
    super(`seq-state rows of ${devices.length} device(s) are missing`);
  }
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * Writes a batch in one transaction on a connection of its own: lock the devices' seq state, classify seqs
 * (new, late, duplicate, replayed, rewound), COPY the new readings (binary) straight into the hypertables,
 * update the seq state and gaps, insert the quarantine rows, COMMIT. Any failure rolls back; the caller
 * retries and acknowledges nothing meanwhile.
 *
 * Exactly-once rests on the seq state: every writer locks `device_state` rows before it decides, and a
 * reading at or below a device's high-water mark is compared with what is stored. (The hypertable key
 * includes `ts`, so `ON CONFLICT` alone could not catch a seq reused with another timestamp anyway.) Should the
 * table ever hold a row the seq state does not know of (a restore, a manual insert), the COPY fails with a
 * unique violation and the batch is written again with every candidate checked against the table.
 */
export class ReadingsRepository implements ReadingsWriter {
  private readonly connections: WriterConnections;
  private columnsChecked = false;
  /** devices whose `device_state` row is known to exist (committed): they need no ENSURE */
  private readonly knownStates = new Set<string>();

  constructor(
    databaseUrl: string,
    private readonly options: ReadingsRepositoryOptions,
    private readonly logger: Logger,
  ) {
    this.connections = new WriterConnections(
      {
        databaseUrl,
        connections: options.connections,
        statementTimeoutMs: options.statementTimeoutMs,
        prepare: (client) => this.checkColumns(client),
      },
      logger,
    );
  }

  async write(request: WriteRequest, turn: WriteTurn = ANY_TURN): Promise<WriteOutcome> {
    let checkEverySeq = false;
    let statesRecreated = false;
    let attemptTurn = turn;
    try {
      for (;;) {
        try {
          return await this.transaction(request, checkEverySeq, attemptTurn);
        } catch (error) {
          if (error instanceof StateRowsMissing && !statesRecreated) {
            // Rolled back before locking anything out of order; it keeps its turn.
            this.logger.warn('ingest_seq_state_missing', {
              detail: 'seq-state rows known to exist are gone; writing the batch again, creating them first',
              devices: error.devices.slice(0, 20),
            });
            statesRecreated = true;
          } else if ((error as { code?: unknown }).code === UNIQUE_VIOLATION && !checkEverySeq) {
            this.logger.warn('ingest_seq_state_behind', {
              detail:
                'a reading the seq state called new is already stored; writing the batch again, checking every seq',
              error,
            });
            checkEverySeq = true;
            // Its turn has passed: it locks behind whichever writes locked since, as a retried batch does.
            attemptTurn = ANY_TURN;
          } else {
            throw error;
          }
        }
      }
    } finally {
      void turn.previousLocked.then(turn.locked);
    }
  }

  /** Opens a connection (checking the reading tables' columns when COPY is on) and gives it back. */
  async check(): Promise<void> {
    this.connections.release(await this.connections.acquire(), true);
  }

  async close(): Promise<void> {
    await this.connections.close();
  }

  private async transaction(request: WriteRequest, checkEverySeq: boolean, turn: WriteTurn): Promise<WriteOutcome> {
    // Take a connection only in turn: writes waiting for their turn must not hold the connections the
    // earlier ones need.
    await turn.previousLocked;
    const client = await this.connections.acquire();
    const started = performance.now();
    let healthy = true;
    try {
      await client.query('BEGIN');
      const { accepted, duplicates, seqRejects, newGaps, devices } = await this.storeReadings(
        client,
        request.candidates,
        checkEverySeq,
        turn,
      );
      const quarantined = seqRejects.length === 0 ? request.quarantine : [...request.quarantine, ...seqRejects];
      if (quarantined.length > 0) {
        await insertQuarantine(client, quarantined);
      }
      await client.query('COMMIT');
      this.rememberStates(devices);
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
      this.connections.release(client, healthy);
    }
  }

  /** Binary COPY encodes each column's exact type: refuse to start on tables whose types differ. */
  private async checkColumns(client: pg.Client): Promise<void> {
    if (!(this.options.copy ?? true) || this.columnsChecked) {
      return;
    }
    const { rows } = await client.query<{ relation: string; column: string; type: string }>(READING_COLUMN_TYPES);
    const problems: string[] = [];
    for (const kind of HARDWARE_KINDS) {
      const actual = new Map(rows.filter((r) => r.relation === `readings_${kind}`).map((r) => [r.column, r.type]));
      for (const [column, type] of readingColumnTypes(kind)) {
        if (actual.get(column) !== type) {
          problems.push(`readings_${kind}.${column} is ${actual.get(column) ?? 'missing'}, expected ${type}`);
        }
      }
    }
    if (problems.length > 0) {
      throw new Error(`the reading tables do not match what the ingest writes: ${problems.join('; ')}`);
    }
    this.columnsChecked = true;
  }

  private rememberStates(devices: readonly string[]): void {
    for (const device of devices) {
      if (!this.knownStates.has(device)) {
        if (this.knownStates.size >= MAX_KNOWN_STATES) {
          // Forget the oldest (a Set keeps insertion order): it costs an ENSURE again, nothing more.
          this.knownStates.delete(this.knownStates.values().next().value!);
        }
        this.knownStates.add(device);
      }
    }
  }

  /**
   * Locks the devices' state rows (in id order), creating the missing ones first. Rows known to exist skip
   * the ENSURE; should one be gone after all, the transaction is given up ({@link StateRowsMissing}) rather
   * than lock it after rows that sort behind it: every writer keeps taking its locks in id order.
   */
  private async lockStates(client: pg.Client, devices: readonly string[]) {
    type StateRow = { device_id: string; high_seq: string; readings: string };
    const unknown = devices.filter((device) => !this.knownStates.has(device));
    if (unknown.length > 0) {
      await client.query(ENSURE_DEVICE_STATE, [unknown]);
    }
    const { rows } = await client.query<StateRow>(LOCK_DEVICE_STATE, [devices]);
    if (rows.length < devices.length) {
      const found = new Set(rows.map((row) => row.device_id));
      const missing = devices.filter((device) => !found.has(device));
      for (const device of missing) {
        this.knownStates.delete(device);
      }
      throw new StateRowsMissing(missing);
    }
    return rows;
  }

  private async storeReadings(
    client: pg.Client,
    candidates: readonly WriteCandidate[],
    checkEverySeq: boolean,
    turn: WriteTurn,
  ) {
    const accepted: StoredReading[] = [];
    const seqRejects: QuarantineRow[] = [];
    if (candidates.length === 0) {
      turn.locked();
      return { accepted, duplicates: 0, seqRejects, newGaps: 0, devices: [] };
    }
    const devices = [...new Set(candidates.map((c) => c.reading.device))].sort();
    const locked = await this.lockStates(client, devices);
    turn.locked();
    const highs = new Map<string, number | undefined>();
    for (const row of locked) {
      highs.set(row.device_id, row.readings === '0' ? undefined : Number(row.high_seq));
    }
    const seqCandidates = candidates.map(({ reading }) => new SeqView(reading));
    const needHistory = checkEverySeq ? seqCandidates : candidatesNeedingHistory(seqCandidates, highs);
    const { gaps, stored } = needHistory.length > 0 ? await loadHistory(client, needHistory) : EMPTY_HISTORY;
    const states = new Map<string, DeviceSeqState>();
    for (const [device, highSeq] of highs) {
      states.set(device, { highSeq, gaps: gaps.get(device) ?? [] });
    }
    const { verdicts, updates } = classifySeqs(seqCandidates, states, stored, {
      nowMs: Date.now(),
      lateWindowMs: this.options.lateWindowMs,
      replayAfterMs: this.options.replayAfterMs,
    });
    let duplicates = 0;
    verdicts.forEach((verdict, i) => {
      const candidate = candidates[i]!;
      switch (verdict.kind) {
        case 'accept':
          accepted.push(
            verdict.late ? withQflags(candidate.reading, candidate.reading.qflags | QFLAG.LATE_SEQ) : candidate.reading,
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
    return { accepted, duplicates, seqRejects, newGaps: updates.reduce((n, u) => n + u.newGaps, 0), devices };
  }

  private async insertReadings(client: pg.Client, readings: readonly StoredReading[]): Promise<void> {
    for (const kind of HARDWARE_KINDS) {
      const rows = readings.filter((reading) => reading.kind === kind);
      if (rows.length === 0) {
        continue;
      }
      if (this.options.copy ?? true) {
        await copyInto(client, kind, copyChunks(rows));
      } else {
        await client.query(KIND_SQL[kind].insertJson, [JSON.stringify(readingRecords(kind, rows))]);
      }
    }
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

async function copyInto(client: pg.Client, kind: HardwareKind, chunks: readonly Buffer[]): Promise<void> {
  const stream = client.query(copyStreams.from(KIND_SQL[kind].copy));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    for (const chunk of chunks) {
      stream.write(chunk);
    }
    stream.end();
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
