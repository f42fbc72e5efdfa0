import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/fixtures.js';
import {
  decodeBitmap,
  decodeVehiclePid,
  parseMode01Reply,
  pickEngineFrame,
  replyLines,
  supportedPids,
  type VehiclePid,
} from './elm327.parser.js';

interface Reply {
  name?: string;
  command: string;
  headers: boolean;
  raw: string;
}
interface Fixtures {
  decoded: (Reply & { metric: string; value: number; ecu?: string })[];
  bitmaps: (Reply & { contains: number[]; excludes: number[] })[];
  refused: (Reply & { reason: string })[];
  short_payload: (Reply & { reason: string })[];
}
const fx = fixtureJson<Fixtures>('elm327/replies.json');
const pidOf = (command: string) => parseInt(command.slice(2, 4), 16);

describe('ELM327 Mode 01 replies', () => {
  it.each(fx.decoded)('$name', ({ command, headers, raw, metric, value, ecu }) => {
    const frames = parseMode01Reply(raw, pidOf(command), headers, command);
    expect(frames.ok).toBe(true);
    if (!frames.ok) {
      return;
    }
    const frame = pickEngineFrame(frames.value)!;
    expect(frame.ecu).toBe(ecu);
    const decoded = decodeVehiclePid(pidOf(command) as VehiclePid, frame);
    expect(decoded.ok && decoded.value.metric).toBe(metric);
    expect(decoded.ok && decoded.value.value).toBeCloseTo(value, 3);
  });

  it.each(fx.bitmaps)('$name', ({ command, headers, raw, contains, excludes }) => {
    const frames = parseMode01Reply(raw, pidOf(command), headers, command);
    expect(frames.ok).toBe(true);
    const pids = new Set(
      (frames.ok ? frames.value : []).flatMap((f) => {
        const decoded = decodeBitmap(pidOf(command), f);
        return decoded.ok ? decoded.value : [];
      }),
    );
    for (const pid of contains) {
      expect(pids.has(pid)).toBe(true);
    }
    for (const pid of excludes) {
      expect(pids.has(pid)).toBe(false);
    }
  });

  it.each(fx.refused)('refuses "$raw" as $reason', ({ command, headers, raw, reason }) => {
    const frames = parseMode01Reply(raw, pidOf(command), headers, command);
    expect(frames.ok).toBe(false);
    expect(!frames.ok && frames.error.reason).toBe(reason);
  });

  it.each(fx.short_payload)('decoding "$raw" fails as $reason', ({ command, headers, raw, reason }) => {
    const frames = parseMode01Reply(raw, pidOf(command), headers, command);
    expect(frames.ok).toBe(true);
    const decoded = decodeVehiclePid(pidOf(command) as VehiclePid, frames.ok ? frames.value[0]! : { data: [] });
    expect(!decoded.ok && decoded.error.reason).toBe(reason);
  });

  it('keeps the good ECU line when another line is noise', () => {
    const frames = parseMode01Reply('7E9 03 41 0D XX \r7E8 03 41 0D 32 \r\r', 0x0d, true);
    expect(frames.ok && frames.value).toEqual([{ ecu: '7E8', data: [0x41, 0x0d, 0x32] }]);
  });
});

describe('reply framing', () => {
  it('drops the echo, SEARCHING... and blank lines', () => {
    expect(replyLines('0100\rSEARCHING...\r41 00 BE 3F A8 13 \r\r', '0100')).toEqual(['41 00 BE 3F A8 13']);
    expect(replyLines('ATZ\r\r\rELM327 v1.5\r\r', 'ATZ')).toEqual(['ELM327 v1.5']);
    expect(replyLines('ATE0\rOK\r\r', 'ATE0')).toEqual(['OK']);
  });

  it('maps a bitmap bit-by-bit (bit 7 of A = base+1, bit 0 of D = base+0x20)', () => {
    expect(supportedPids(0, [0x80, 0, 0, 0x01])).toEqual([0x01, 0x20]);
    expect(supportedPids(0x20, [0, 0x01, 0, 0])).toEqual([0x30]);
  });
});
