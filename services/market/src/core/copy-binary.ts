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
    const buffer = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    let at = 0;
    if (!this.headerRead) {
      if (buffer.length < 19) {
        this.rest = buffer;
        return;
      }
      if (!buffer.subarray(0, 11).equals(SIGNATURE)) {
        throw new CopyFormatError('not a binary COPY stream');
      }
      const extension = buffer.readInt32BE(15);
      if (buffer.length < 19 + extension) {
        this.rest = buffer;
        return;
      }
      at = 19 + extension;
      this.headerRead = true;
    }
    const fields = this.fields;
    const width = this.width;
    const end = buffer.length;
    while (at + 2 <= end) {
      const count = buffer.readInt16BE(at);
      if (count === -1) {
        this.ended = true;
        if (at + 2 !== end) {
          throw new CopyFormatError('bytes after the end of the COPY data');
        }
        return;
      }
      if (count !== width) {
        throw new CopyFormatError(`a tuple of ${count} fields, expected ${width}`);
      }
      let p = at + 2;
      let complete = true;
      for (let i = 0; i < width; i++) {
        if (p + 4 > end) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(p);
        p += 4;
        if (length < 0) {
          fields[2 * i] = -1;
          fields[2 * i + 1] = -1;
          continue;
        }
        if (p + length > end) {
          complete = false;
          break;
        }
        fields[2 * i] = p;
        fields[2 * i + 1] = p + length;
        p += length;
      }
      if (!complete) {
        break;
      }
      this.onTuple(buffer, fields);
      at = p;
    }
    if (at < end) {
      this.rest = buffer.subarray(at);
    }
  }

  /** Throws unless the stream ended with its trailer and nothing is left over. */
  finish(): void {
    if (!this.ended) {
      throw new CopyFormatError('the COPY data ended inside a tuple or before its trailer');
    }
  }
}
