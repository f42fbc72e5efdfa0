import { describe, expect, it } from 'vitest';
import { epochWindow } from './epoch-calendar.js';
import { nextWakeAt, planEpochs } from './pass-plan.js';

const GENESIS = Date.UTC(2025, 0, 1);
const DEMO = { genesisMs: GENESIS, durationMs: 60_000, graceMs: 15_000 };
/** 20 s after epoch 100 became closable */
const NOW = epochWindow(DEMO, 100).closableAt + 20_000;

describe('planEpochs', () => {
  it('scores every closable epoch after the last scheduled one, oldest first', () => {
    expect(planEpochs({ calendar: DEMO, now: NOW, lastScheduled: 96, backfillEpochs: 7, maxEpochs: 50 })).toEqual({
      epochs: [97, 98, 99, 100],
      newest: 100,
      more: false,
    });
  });

  it('scores nothing while the next epoch is still in its grace period', () => {
    expect(
      planEpochs({ calendar: DEMO, now: NOW, lastScheduled: 100, backfillEpochs: 7, maxEpochs: 50 }).epochs,
    ).toEqual([]);
  });

  it('leaves a backlog beyond maxEpochs for the next pass', () => {
    const plan = planEpochs({ calendar: DEMO, now: NOW, lastScheduled: 10, backfillEpochs: 7, maxEpochs: 5 });
    expect(plan).toEqual({ epochs: [11, 12, 13, 14, 15], newest: 100, more: true });
  });

  it('on a fresh database backfills the newest epochs, but none closable before the database existed except the last', () => {
    const base = { calendar: DEMO, now: NOW, lastScheduled: null, maxEpochs: 50 } as const;
    expect(planEpochs({ ...base, backfillEpochs: 3 }).epochs).toEqual([98, 99, 100]);
    // set up while epoch 99 was in its grace period: 98 was the last closable then (what rewards starts with)
    const since = epochWindow(DEMO, 99).closableAt - 1;
    expect(planEpochs({ ...base, backfillEpochs: 7, since }).epochs).toEqual([98, 99, 100]);
    // an explicit first epoch wins
    expect(planEpochs({ ...base, backfillEpochs: 7, since, firstEpoch: 90 }).epochs[0]).toBe(90);
  });

  it('never plans an epoch before 0', () => {
    const now = epochWindow(DEMO, 1).closableAt;
    expect(planEpochs({ calendar: DEMO, now, lastScheduled: null, backfillEpochs: 7, maxEpochs: 50 }).epochs).toEqual([
      0, 1,
    ]);
  });
});

describe('nextWakeAt', () => {
  it('wakes just after the next epoch becomes closable when that is sooner than the interval', () => {
    expect(nextWakeAt(DEMO, NOW, 60_000)).toBe(epochWindow(DEMO, 101).closableAt + 200);
  });

  it('wakes at the interval when the next epoch closes later', () => {
    const days = { genesisMs: GENESIS, durationMs: 86_400_000, graceMs: 3_600_000 };
    expect(nextWakeAt(days, NOW, 60_000)).toBe(NOW + 60_000);
  });
});
