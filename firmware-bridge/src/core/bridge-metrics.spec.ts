import { describe, expect, it } from 'vitest';
import type { BridgeStatus } from './bridge-counters.js';
import { escapeLabelValue, renderBridgeMetrics } from './bridge-metrics.js';

function status(device: string, overrides: Partial<BridgeStatus['counters']> = {}): BridgeStatus {
  return {
    v: 1,
    device,
    kind: 'weather',
    pid: 42,
    startedAt: '2026-12-07T10:00:00.000Z',
    updatedAt: '2026-12-07T10:05:00.000Z',
    running: true,
    connected: false,
    counters: {
      read: 120,
      rejected: { 'body:RANGE': 2, bad_passkey: 1 },
      queued: 118,
      published: 118,
      republished: 5,
      acked: 100,
      evicted: 0,
      refused: {},
      connects: 3,
      disconnects: 2,
      writeFailures: 0,
      ...overrides,
    },
    queue: {
      backlog: 18,
      diskBytes: 40_960,
      doneThrough: 99,
      highSeq: 117,
      truncatedBytes: 0,
      damagedSegments: 0,
      unwritten: 0,
      failure: 'QUEUE_WRITE_FAILED: ENOSPC',
    },
  };
}

/** A sample line of the text exposition format: name{labels} value. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\} (\S+)$/;

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) gt_bridge_\w+ \S/);
      continue;
    }
    const match = SAMPLE.exec(line);
    expect(match, line).not.toBeNull();
    out.set(`${match![1]}{${match![2]}}`, Number(match![3]));
  }
  return out;
}

describe('renderBridgeMetrics', () => {
  it('gives every counter, reason and gauge of a status as one labelled sample', () => {
    const text = renderBridgeMetrics([status('gtA')]);
    const values = samples(text);
    const at = (name: string, extra = '') => values.get(`${name}{device="gtA",kind="weather"${extra}}`);
    expect(at('gt_bridge_samples_read_total')).toBe(120);
    expect(at('gt_bridge_samples_rejected_total', ',reason="bad_passkey"')).toBe(1);
    expect(at('gt_bridge_samples_rejected_total', ',reason="body:RANGE"')).toBe(2);
    expect(at('gt_bridge_readings_acked_total')).toBe(100);
    expect(at('gt_bridge_readings_republished_total')).toBe(5);
    expect(at('gt_bridge_queue_backlog_readings')).toBe(18);
    expect(at('gt_bridge_queue_disk_bytes')).toBe(40_960);
    expect(at('gt_bridge_queue_failing')).toBe(1);
    expect(at('gt_bridge_connected')).toBe(0);
    expect(at('gt_bridge_running')).toBe(1);
    expect(at('gt_bridge_acked_through_seq')).toBe(99);
    expect(at('gt_bridge_start_time_seconds')).toBe(Date.UTC(2026, 11, 7, 10) / 1000);
    // no refusals: the family is described, with no sample
    expect(text).toContain('# TYPE gt_bridge_readings_refused_total counter');
    expect([...values.keys()].some((key) => key.startsWith('gt_bridge_readings_refused_total'))).toBe(false);
  });

  it('names counters *_total, describes each family once, and gives one series per device', () => {
    const text = renderBridgeMetrics([status('gtA'), status('gtB', { acked: 7 })]);
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    for (const line of types) {
      const [, , name, kind] = line.split(' ');
      expect(name!.endsWith('_total')).toBe(kind === 'counter');
    }
    const values = samples(text);
    expect(values.get('gt_bridge_readings_acked_total{device="gtA",kind="weather"}')).toBe(100);
    expect(values.get('gt_bridge_readings_acked_total{device="gtB",kind="weather"}')).toBe(7);
  });

  it('escapes label values so a hostile reason cannot break the exposition', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderBridgeMetrics([status('gtA', { rejected: { 'x"} 1\ngt_bridge_fake{} 9': 4 } })]);
    const values = samples(text);
    expect([...values.keys()].some((key) => key.startsWith('gt_bridge_fake'))).toBe(false);
    expect(
      values.get('gt_bridge_samples_rejected_total{device="gtA",kind="weather",reason="x\\"} 1\\ngt_bridge_fake{} 9"}'),
    ).toBe(4);
  });

  it('still describes every family when no bridge runs', () => {
    const text = renderBridgeMetrics([]);
    expect(samples(text).size).toBe(0);
    expect(text).toContain('# HELP gt_bridge_readings_acked_total');
  });
});
