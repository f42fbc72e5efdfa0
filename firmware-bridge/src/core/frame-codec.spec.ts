import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, scanFrames, type QueueRecord } from './frame-codec.js';

const record = (firstSeq: number, count = 1, text = `payload-${firstSeq}`): QueueRecord => ({
  type: count === 1 ? 'single' : 'batch',
  count,
  firstSeq,
  lastSeq: firstSeq + count - 1,
  payload: Buffer.from(text),
});

describe('queue frames', () => {
  it('round-trips records through encode and scan', () => {
    const records = [record(0), record(1, 50), record(51, 3, 'x'.repeat(10_000))];
    const file = Buffer.concat(records.map(encodeFrame));
    const scan = scanFrames(file);
    expect(scan.torn).toBeUndefined();
    expect(scan.validEnd).toBe(file.length);
    expect(scan.frames.map((f) => f.record)).toEqual(records);
  });

  it('cuts a torn tail at every possible length of the last frame, keeping all complete frames', () => {
    const complete = Buffer.concat([record(0), record(1)].map(encodeFrame));
    const last = encodeFrame(record(2, 10, 'the last batch'));
    for (let cut = 0; cut < last.length; cut++) {
      const scan = scanFrames(Buffer.concat([complete, last.subarray(0, cut)]));
      expect(scan.frames.map((f) => f.record.firstSeq)).toEqual([0, 1]);
      expect(scan.validEnd).toBe(complete.length);
      expect(scan.torn === undefined).toBe(cut === 0);
    }
  });

  it('stops at a frame whose bytes were damaged (CRC mismatch)', () => {
    const frames = [record(0), record(1), record(2)].map(encodeFrame);
    const damaged = Buffer.from(frames[1]!);
    damaged[damaged.length - 2]! ^= 0xff;
    const scan = scanFrames(Buffer.concat([frames[0]!, damaged, frames[2]!]));
    expect(scan.frames).toHaveLength(1);
    expect(scan.torn).toBe('bad_crc');
    expect(scan.validEnd).toBe(frames[0]!.length);
  });

  it('treats zero-filled space (a file extended but never written) as torn, not as records', () => {
    const scan = scanFrames(Buffer.concat([encodeFrame(record(7)), Buffer.alloc(64)]));
    expect(scan.frames).toHaveLength(1);
    expect(scan.torn).toBe('bad_length');
  });

  it('refuses a frame whose CRC matches but whose header is inconsistent', () => {
    const data = Buffer.alloc(20);
    data.writeUInt8(1, 0);
    data.writeUInt8(1, 1);
    data.writeUInt16LE(1, 2);
    data.writeDoubleLE(10, 4);
    data.writeDoubleLE(9, 12); // lastSeq < firstSeq
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32LE(data.length, 0);
    header.writeUInt32LE(crc32(data), 4);
    expect(scanFrames(Buffer.concat([header, data])).torn).toBe('bad_header');
  });

  it('never reports a frame that was not written whole (property: random truncation and corruption)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (payloads, cutSeed, flipSeed) => {
          const records = payloads.map((p, i) => ({ ...record(i * 2), payload: Buffer.from(p) }));
          const file = Buffer.concat(records.map(encodeFrame));
          const cut = cutSeed % (file.length + 1);
          const bytes = Buffer.from(file.subarray(0, cut));
          if (bytes.length > 0) {
            bytes[flipSeed % bytes.length]! ^= 0x5a;
          }
          const scan = scanFrames(bytes);
          for (const frame of scan.frames) {
            const original = records.find((r) => r.firstSeq === frame.record.firstSeq);
            expect(original).toBeDefined();
            expect(frame.record.payload.equals(original!.payload)).toBe(true);
          }
        },
      ),
    );
  });
});
