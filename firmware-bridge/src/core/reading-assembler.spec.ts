import { generateKeyPair } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { ReadingAssembler } from './reading-assembler.js';

const device = generateKeyPair().deviceId;
const ts = Date.UTC(2025, 0, 1);

describe('ReadingAssembler', () => {
  it('numbers valid samples consecutively from the first seq', () => {
    const assembler = new ReadingAssembler(device, 'weather', 42);
    const a = assembler.assemble({ ts, metrics: { temperature: 21.5 } });
    const b = assembler.assemble({ ts: ts + 1000.4, metrics: { temperature: 21.6 }, loc: { lat: 52, lon: 4 } });
    expect(a.ok && a.value.seq).toBe(42);
    expect(b.ok && b.value).toMatchObject({
      seq: 43,
      ts: ts + 1000,
      loc: { lat: 52, lon: 4 },
      kind: 'weather',
      device,
    });
    expect(assembler.nextSeq).toBe(44);
  });

  it('refuses an invalid sample with a protocol code and does not consume a seq (no gap)', () => {
    const assembler = new ReadingAssembler(device, 'weather', 0);
    const unknown = assembler.assemble({ ts, metrics: { warp_factor: 9 } });
    const badTime = assembler.assemble({ ts: Date.UTC(2019, 0, 1), metrics: { temperature: 1 } });
    const nan = assembler.assemble({ ts, metrics: { temperature: Number.NaN } });
    expect([unknown, badTime, nan].map((r) => !r.ok && r.error.code)).toEqual([
      'UNKNOWN_METRIC',
      'BAD_TIMESTAMP',
      'NON_FINITE_NUMBER',
    ]);
    const good = assembler.assemble({ ts, metrics: { temperature: 1 } });
    expect(good.ok && good.value.seq).toBe(0); // a device's first reading: seq 0 is valid
  });
});
