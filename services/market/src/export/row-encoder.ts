import { BinaryCopyParser } from '../core/copy-binary.js';
import { ExportRowAssembler, type EncodedBlock, type TextFormat } from '../core/export-bytes.js';
import { RowCodec } from '../core/export-row.js';
import { cellMatcher } from './cell-matcher.js';

/** What an encoder needs to turn binary COPY tuples of `encodedExportSelect` into file bytes. */
export interface RowEncoderInit {
  readonly metrics: readonly string[];
  readonly format: TextFormat;
  /** the query's H3 cells, when rows must be matched against them (their location ends each tuple) */
  readonly cells?: readonly string[];
}

/**
 * Turns a binary COPY stream of `encodedExportSelect` tuples, chunk by chunk, into encoded blocks in row order
 * (rows outside the query's H3 cells left out).
 */
export class RowEncoding {
  private readonly blocks: EncodedBlock[] = [];
  private readonly assembler: ExportRowAssembler;
  private readonly parser: BinaryCopyParser;

  constructor(init: RowEncoderInit) {
    const assembler = new ExportRowAssembler(new RowCodec(init.metrics), init.format);
    const width = assembler.width;
    const matches = init.cells === undefined ? undefined : cellMatcher(init.cells);
    this.assembler = assembler;
    this.parser = new BinaryCopyParser(width + (matches === undefined ? 0 : 2), (buffer, fields) => {
      if (matches !== undefined) {
        const lat = fields[2 * width]!;
        const lon = fields[2 * width + 2]!;
        if (!matches(lat < 0 ? null : buffer.readDoubleBE(lat), lon < 0 ? null : buffer.readDoubleBE(lon))) {
          return;
        }
      }
      if (assembler.add(buffer, fields)) {
        this.blocks.push(assembler.take());
      }
    });
  }

  push(chunk: Buffer): EncodedBlock[] {
    this.parser.push(chunk);
    return this.blocks.splice(0);
  }

  finish(): EncodedBlock[] {
    this.parser.finish();
    if (this.assembler.pending > 0) {
      this.blocks.push(this.assembler.take());
    }
    return this.blocks.splice(0);
  }
}
