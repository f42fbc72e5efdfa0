import { describe, expect, it } from 'vitest';
import { assignFaults, parseFaultCounts } from './fault-plan.js';

describe('parseFaultCounts', () => {
  it('reads fault:devices lists, a bare fault meaning one device', () => {
    expect([...parseFaultCounts('stuck:2, spike:1,clock_skew,stuck:1')]).toEqual([
      ['stuck', 3],
      ['spike', 1],
      ['clock_skew', 1],
    ]);
    expect(parseFaultCounts('').size).toBe(0);
  });

  it('names the bad part of a malformed list', () => {
    expect(() => parseFaultCounts('stuck:2,warp:1')).toThrow(/"warp:1"/);
    expect(() => parseFaultCounts('stuck:-1')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });
});

describe('assignFaults', () => {
  it('gives each fault to the asked number of distinct devices, the same way for the same seed', () => {
    const counts = parseFaultCounts('stuck:2,spike:1,replay:3,cloned_key:1');
    const a = assignFaults('weather', 10, counts, 42);
    expect(a).toEqual(assignFaults('weather', 10, counts, 42));
    const holders = (fault: string) => a.filter((d) => [...d.signal, ...d.bridge].includes(fault as never)).length;
    expect([holders('stuck'), holders('spike'), holders('replay'), holders('cloned_key')]).toEqual([2, 1, 3, 1]);
    expect(a.every((d) => d.signal.length + d.bridge.length <= 1)).toBe(true); // 7 faults, 10 devices: one each at most
    expect(assignFaults('weather', 10, counts, 43)).not.toEqual(a);
  });

  it('refuses a fault the kind cannot have, or more devices than the fleet', () => {
    expect(() => assignFaults('vehicle', 5, parseFaultCounts('indoor:1'), 1)).toThrow(
      /indoor does not apply to vehicle/,
    );
    expect(() => assignFaults('energy', 2, parseFaultCounts('drift:3'), 1)).toThrow(/more devices than --count 2/);
  });
});
