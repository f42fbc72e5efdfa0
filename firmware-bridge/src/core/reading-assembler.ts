import {
  PROTOCOL_VERSION,
  validateReadingBody,
  type DeviceId,
  type HardwareKind,
  type ProtocolError,
  type ReadingBody,
  type Result,
} from '@groundtruth/protocol';
import type { SensorSample } from '../adapters/adapter.js';

/**
 * Turns adapter samples into reading bodies with the device's next seq (pure logic). A sample that does not make
 * a valid body (unknown metric, timestamp outside protocol range, …) is refused *before* it takes a seq, so a
 * refusal never leaves a gap in the sequence the network sees.
 */
export class ReadingAssembler {
  private next: number;

  constructor(
    readonly device: DeviceId,
    readonly kind: HardwareKind,
    /** the first seq to hand out: one past the durable high-water of the queue */
    firstSeq: number,
  ) {
    if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) {
      throw new RangeError('firstSeq must be a non-negative safe integer');
    }
    this.next = firstSeq;
  }

  get nextSeq(): number {
    return this.next;
  }

  assemble(sample: SensorSample): Result<ReadingBody, ProtocolError> {
    const candidate = {
      v: PROTOCOL_VERSION,
      device: this.device,
      kind: this.kind,
      seq: this.next,
      ts: Math.round(sample.ts),
      ...(sample.loc === undefined ? {} : { loc: sample.loc }),
      metrics: sample.metrics,
    };
    const result = validateReadingBody(candidate);
    if (result.ok) {
      this.next++;
    }
    return result;
  }
}
