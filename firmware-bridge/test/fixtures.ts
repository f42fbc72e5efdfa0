import { readFileSync } from 'node:fs';
import type { AdapterSink, FrameRejectReason, SensorSample } from '../src/adapters/adapter.js';

/** Reads a capture under firmware-bridge/fixtures/ (bytes kept as latin1 so CR LF and noise survive). */
export function fixture(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'latin1');
}

export function fixtureJson<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** An AdapterSink that records what an adapter delivers, with a poll-until helper for socket tests. */
export function collectingSink() {
  const samples: SensorSample[] = [];
  const rejects: { reason: FrameRejectReason; detail: string }[] = [];
  const sink: AdapterSink = {
    sample: (sample) => void samples.push(sample),
    reject: (reason, detail) => void rejects.push({ reason, detail }),
  };
  const reasons = () => rejects.map((r) => r.reason);
  async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; samples=${samples.length} rejects=${JSON.stringify(rejects.slice(0, 5))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return { samples, rejects, sink, reasons, until };
}
