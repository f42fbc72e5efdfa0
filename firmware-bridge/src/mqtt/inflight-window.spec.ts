import { describe, expect, it } from 'vitest';
import { InflightWindow } from './inflight-window.js';

const rec = (lastSeq: number, count = 1) => ({ lastSeq, count });

describe('InflightWindow', () => {
  it("caps what is in flight at the broker's Receive Maximum when it is lower than the configured maximum", () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(100);
    window.connected(3);
    expect(window.limit).toBe(3);
    [0, 1, 2].forEach((seq) => window.sent(rec(seq)));
    expect(window.hasRoom).toBe(false);
    expect(() => window.sent(rec(3))).toThrow(RangeError);
    window.connected(undefined); // absent = 65,535: the configured maximum applies
    expect(window.limit).toBe(100);
  });

  it('advances the done prefix only over contiguous acknowledgements (out-of-order PUBACK)', () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(10);
    window.connected(10);
    const [a, b, c] = [rec(9, 10), rec(19, 10), rec(29, 10)];
    const ga = window.sent(a).generation;
    const gb = window.sent(b).generation;
    const gc = window.sent(c).generation;
    expect(window.acked(b, gb)).toEqual({ advance: undefined });
    expect(window.acked(c, gc)).toEqual({ advance: undefined });
    expect(window.inFlight).toBe(1);
    expect(window.acked(a, ga)).toEqual({ advance: { throughSeq: 29, readings: 30 } });
    expect(window.held).toBe(0);
  });

  it("advances the done prefix to seq 0 when a device's first reading is acknowledged", () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(10);
    window.connected(10);
    const first = rec(0);
    expect(window.acked(first, window.sent(first).generation)).toEqual({ advance: { throughSeq: 0, readings: 1 } });
    expect(window.held).toBe(0);
  });

  it('after a disconnect resends every unacknowledged record, oldest first, and ignores answers from the old connection', () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(10);
    window.connected(10);
    const records = [rec(0), rec(1), rec(2)];
    const generations = records.map((r) => window.sent(r).generation);
    window.acked(records[1]!, generations[1]!);
    window.disconnected();
    expect(window.inFlight).toBe(0);
    expect(window.acked(records[0]!, generations[0]!)).toBeUndefined(); // stale
    window.connected(2);
    expect(window.nextResend()).toBe(records[0]);
    const first = window.sent(records[0]!);
    expect(first.resend).toBe(true);
    expect(window.nextResend()).toBe(records[2]);
    const third = window.sent(records[2]!);
    expect(window.nextResend()).toBeUndefined();
    expect(window.acked(records[0]!, first.generation)).toEqual({ advance: { throughSeq: 1, readings: 2 } });
    expect(window.acked(records[2]!, third.generation)).toEqual({ advance: { throughSeq: 2, readings: 1 } });
  });

  it('a refusal to retry later frees the slot and queues the record for a resend', () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(1);
    window.connected(undefined);
    const r = rec(5);
    const { generation } = window.sent(r);
    expect(window.retryLater(r, generation)).toBe(true);
    expect(window.hasRoom).toBe(true);
    expect(window.nextResend()).toBe(r);
  });

  it('refuses records out of seq order', () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(5);
    window.connected(5);
    window.sent(rec(5));
    expect(() => window.sent(rec(5))).toThrow(/out of order/);
  });

  it('drops evicted records from the head, freeing their slots', () => {
    const window = new InflightWindow<ReturnType<typeof rec>>(5);
    window.connected(5);
    [rec(0), rec(1), rec(2)].forEach((r) => window.sent(r));
    expect(window.dropThrough(1)).toBe(2);
    expect(window.inFlight).toBe(1);
    expect(window.held).toBe(1);
  });
});
