import type { HardwareKind, SignatureVerifier } from '@groundtruth/protocol';
import { RowCodec, type ExportRow } from '../core/export-row.js';
import { fastLeafHash } from '../core/fast-hash.js';
import { splitRecord } from '../core/csv-records.js';
import { isRowFailure, prepareRowCheck, type RowFailureCode } from '../core/row-check.js';
import { RowFormatError, rowFromFields, rowFromJson } from '../core/row-format.js';

/** One row of an export file as read, unparsed: a CSV record's text, or a JSON object's text (JSONL, Parquet). */
export interface RawRow {
  /** 1-based line (CSV, JSONL) or row number (Parquet) */
  readonly line: number;
  readonly text: string;
}

export type RawFormat = 'csv' | 'json';

export interface BadRow {
  /** 1-based line of the file (CSV: the header is line 1; JSONL) or 1-based row number (Parquet) */
  readonly line: number;
  readonly code: RowFailureCode;
  readonly detail: string;
}

export interface BlockVerdict {
  /** the rows' Merkle leaf hashes, 32 bytes each, in order (a row that cannot be read hashes its line number) */
  readonly hashes: Uint8Array;
  readonly bad: BadRow[];
}

export interface BlockCheckerInit {
  readonly metrics: readonly string[];
  readonly kind: HardwareKind;
  readonly format: RawFormat;
}

/** Batch signatures already checked, so the rows of one batch cost one ed25519 verification per checker. */
const MAX_REMEMBERED_BATCHES = 50_000;

/**
 * Everything verify-export does to a row, for a block of rows at a time and synchronously, so a worker thread
 * can run it: parse, leaf hash, the row-vs-signed-body check, the audit path, and the ed25519 signature (one per
 * batch signature). No I/O: the same code runs in-process (`workers: 0`) and in the workers.
 */
export class BlockChecker {
  private readonly codec: RowCodec;
  private readonly batches = new Map<string, boolean>();

  constructor(
    private readonly init: BlockCheckerInit,
    private readonly verifier: SignatureVerifier,
  ) {
    this.codec = new RowCodec(init.metrics);
  }

  check(rows: readonly RawRow[]): BlockVerdict {
    const hashes = new Uint8Array(rows.length * 32);
    const bad: BadRow[] = [];
    rows.forEach((raw, i) => {
      let row: ExportRow;
      try {
        row = this.parse(raw.text);
      } catch (error) {
        if (!(error instanceof RowFormatError)) {
          throw error;
        }
        hashes.set(fastLeafHash(`unreadable row ${raw.line}`), i * 32);
        bad.push({ line: raw.line, code: 'MALFORMED_ROW', detail: error.message });
        return;
      }
      hashes.set(this.codec.hash(row), i * 32);
      const prepared = prepareRowCheck(this.codec, row, this.init.kind);
      if (isRowFailure(prepared)) {
        bad.push({ line: raw.line, ...prepared });
        return;
      }
      let valid = prepared.batchKey === undefined ? undefined : this.batches.get(prepared.batchKey);
      if (valid === undefined) {
        valid = this.verifier.verify(prepared.device, prepared.message, prepared.signature);
        if (prepared.batchKey !== undefined) {
          if (this.batches.size >= MAX_REMEMBERED_BATCHES) {
            this.batches.clear();
          }
          this.batches.set(prepared.batchKey, valid);
        }
      }
      if (!valid) {
        bad.push({ line: raw.line, code: 'BAD_SIGNATURE', detail: 'signature does not verify against the device key' });
      }
    });
    return { hashes, bad };
  }

  private parse(text: string): ExportRow {
    if (this.init.format === 'csv') {
      const fields = splitRecord(text);
      if (fields === undefined) {
        throw new RowFormatError('the record ends inside a quoted field');
      }
      return rowFromFields(this.codec, fields);
    }
    if (text === '') {
      throw new RowFormatError('empty line');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RowFormatError('not JSON');
    }
    return rowFromJson(this.codec, parsed);
  }
}
