import { closeSync, constants, fdatasync, fdatasyncSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * The durable queue's cursor: through which seq every reading is done (acknowledged by the broker, or evicted
 * and counted), and the highest seq ever persisted. Two 32-byte slots written alternately, each with a
 * generation and a CRC: a torn write spoils at most the slot being written, and the other still holds the
 * previous value (which only causes a resend, never a loss or a reused seq).
 *
 * slot = magic u32 ‖ generation u32 ‖ doneThrough f64 ‖ highSeq f64 ‖ crc32(previous 24 bytes) u32 ‖ zero u32
 */
export interface CursorState {
  /** every reading with seq ≤ doneThrough is acknowledged or evicted; -1 when none */
  readonly doneThrough: number;
  /** highest seq ever made durable; -1 when none. The next reading gets at least highSeq + 1. */
  readonly highSeq: number;
}

const MAGIC = 0x47544331; // "GTC1"
const SLOT_BYTES = 32;
export const EMPTY_CURSOR: CursorState = { doneThrough: -1, highSeq: -1 };

export function encodeCursorSlot(state: CursorState, generation: number): Buffer {
  const slot = Buffer.alloc(SLOT_BYTES);
  slot.writeUInt32LE(MAGIC, 0);
  slot.writeUInt32LE(generation >>> 0, 4);
  slot.writeDoubleLE(state.doneThrough, 8);
  slot.writeDoubleLE(state.highSeq, 16);
  slot.writeUInt32LE(crc32(slot.subarray(0, 24)), 24);
  return slot;
}

export function decodeCursorSlot(slot: Buffer): { state: CursorState; generation: number } | undefined {
  if (
    slot.length < SLOT_BYTES ||
    slot.readUInt32LE(0) !== MAGIC ||
    crc32(slot.subarray(0, 24)) !== slot.readUInt32LE(24)
  ) {
    return undefined;
  }
  const doneThrough = slot.readDoubleLE(8);
  const highSeq = slot.readDoubleLE(16);
  if (!Number.isSafeInteger(doneThrough) || !Number.isSafeInteger(highSeq)) {
    return undefined;
  }
  return { state: { doneThrough, highSeq }, generation: slot.readUInt32LE(4) };
}

/** Picks the newer valid slot (generations wrap at 2^32: compare as a serial number). */
export function newestSlot(a: ReturnType<typeof decodeCursorSlot>, b: ReturnType<typeof decodeCursorSlot>) {
  if (a === undefined || b === undefined) {
    return a ?? b;
  }
  return ((b.generation - a.generation) | 0) > 0 ? b : a;
}

/** Owns the cursor file: synchronous small writes (page cache), fdatasync on demand. */
export class CursorFile {
  private readonly fd: number;
  private generation: number;
  private current: CursorState;

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600); // create if missing, never truncate
    const bytes = Buffer.alloc(SLOT_BYTES * 2);
    const read = readSync(this.fd, bytes, 0, bytes.length, 0);
    const newest = newestSlot(
      read >= SLOT_BYTES ? decodeCursorSlot(bytes.subarray(0, SLOT_BYTES)) : undefined,
      read >= SLOT_BYTES * 2 ? decodeCursorSlot(bytes.subarray(SLOT_BYTES)) : undefined,
    );
    this.current = newest?.state ?? EMPTY_CURSOR;
    this.generation = newest?.generation ?? 0;
  }

  get state(): CursorState {
    return this.current;
  }

  /** Writes the new state into the slot not holding the current one. Survives a process kill; see sync(). */
  write(state: CursorState): void {
    this.generation = (this.generation + 1) >>> 0;
    writeSync(this.fd, encodeCursorSlot(state, this.generation), 0, SLOT_BYTES, (this.generation % 2) * SLOT_BYTES);
    this.current = state;
  }

  /** Makes the last write survive a power loss. */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  /** Same as sync(), on the thread pool (a slow SD card must not stall MQTT keepalives). */
  syncAsync(): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    closeSync(this.fd);
  }
}
