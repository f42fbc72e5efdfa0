/**
 * PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`): an 11-byte signature, a flags word and a
 * header extension, then one tuple per row (int16 field count, then per field an int32 byte length, -1 for
 * NULL, and the bytes), ended by a field count of -1. Text columns arrive as their UTF-8 bytes, unescaped.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Why a binary COPY stream could not be read. */
export class CopyFormatError extends Error {
  override readonly name = 'CopyFormatError';
}

/**
 * Splits a binary COPY stream, fed in arbitrary chunks, into tuples without copying their bytes: for each
 * tuple, `onTuple(buffer, fields)` gets the buffer holding it and the field bounds (`fields[2i]` start,
 * `fields[2i + 1]` end, both -1 for NULL). `fields` is reused: read it before returning.
 */
export class BinaryCopyParser {
  private readonly fields: Int32Array;
  private rest: Buffer | undefined;
  private headerRead = false;
  private ended = false;

  constructor(
    private readonly width: number,
    private readonly onTuple: (buffer: Buffer, fields: Int32Array) => void,
  ) {
    this.fields = new Int32Array(width * 2);
  }

  /** true once the trailer was read */
  get done(): boolean {
    return this.ended;
  }

  push(chunk: Buffer): void {
    if (this.ended) {
      if (chunk.length > 0) {
        throw new CopyFormatError('bytes after the end of the COPY data');
      }
      return;
    }
    let buffer = chunk;
    if (!this.headerRead) {
      buffer = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
      const at = this.header(buffer);
      if (at < 0) {
        this.rest = buffer;
        return;
      }
      buffer = buffer.subarray(at);
    } else if (this.rest !== undefined) {
      // A tuple began in the previous chunk: join only as much of this one as completes it, not all of it
      // (copying every chunk again would cost as much as the rest of the parsing).
      const rest = this.rest;
      this.rest = undefined;
      for (let take = Math.min(chunk.length, 4096); ; take = Math.min(chunk.length, 2 * take)) {
        const joined = Buffer.concat([rest, chunk.subarray(0, take)]);
        const stop = this.tuples(joined);
        if (this.ended || stop >= rest.length || take === chunk.length) {
          if (stop < joined.length && (this.ended || take === chunk.length)) {
            this.trailing(joined, stop);
            return;
          }
          buffer = chunk.subarray(stop - rest.length);
          break;
        }
      }
    }
    this.trailing(buffer, this.ended ? 0 : this.tuples(buffer));
  }

  /** Reads the header; returns where the tuples begin, or -1 while the header is incomplete. */
  private header(buffer: Buffer): number {
    if (buffer.length < 19) {
      return -1;
    }
    if (!buffer.subarray(0, 11).equals(SIGNATURE)) {
      throw new CopyFormatError('not a binary COPY stream');
    }
    const extension = buffer.readInt32BE(15);
    if (buffer.length < 19 + extension) {
      return -1;
    }
    this.headerRead = true;
    return 19 + extension;
  }

  /** After the last whole tuple at `stop`: keeps an incomplete tuple for the next chunk. */
  private trailing(buffer: Buffer, stop: number): void {
    if (this.ended) {
      if (stop !== buffer.length) {
        throw new CopyFormatError('bytes after the end of the COPY data');
      }
      return;
    }
    if (stop < buffer.length) {
      this.rest = buffer.subarray(stop);
    }
  }

  /**
   * Hands over every whole tuple of `buffer` from its start; returns where the first incomplete one begins
   * (or the end, or just after the trailer).
   */
  private tuples(buffer: Buffer): number {
    const fields = this.fields;
    const width = this.width;
    const end = buffer.length;
    let at = 0;
    while (at + 2 <= end) {
      const count = buffer.readInt16BE(at);
      if (count === -1) {
        this.ended = true;
        return at + 2;
      }
      if (count !== width) {
        throw new CopyFormatError(`a tuple of ${count} fields, expected ${width}`);
      }
      let p = at + 2;
      for (let i = 0; i < width; i++) {
        if (p + 4 > end) {
          return at;
        }
        const length = buffer.readInt32BE(p);
        p += 4;
        if (length < 0) {
          fields[2 * i] = -1;
          fields[2 * i + 1] = -1;
          continue;
        }
        if (p + length > end) {
          return at;
        }
        fields[2 * i] = p;
        fields[2 * i + 1] = p + length;
        p += length;
      }
      this.onTuple(buffer, fields);
      at = p;
    }
    return at;
  }

  /** Throws unless the stream ended with its trailer and nothing is left over. */
  finish(): void {
    if (!this.ended) {
      throw new CopyFormatError('the COPY data ended inside a tuple or before its trailer');
    }
  }
}
