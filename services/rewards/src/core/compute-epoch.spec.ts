import { verifyInclusionProof } from '@groundtruth/protocol';
import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { device, score, testId, testParams } from '../../test/unit-fixtures.js';
import { allocateEmission, deviceWeight } from './allocation.js';
import { computeEpoch, isPayableCredit, type EpochInputs } from './compute-epoch.js';
import { EMPTY_ROOT, manifestFromTexts, proofsForDevice } from './manifest.js';

const pools = { weather: 1_000_000n, vehicle: 0n, energy: 0n };

function reasonOf(outcomes: ReturnType<typeof allocateEmission>, id: string) {
  return outcomes.find((o) => o.device === id)?.reason;
}

describe('allocateEmission', () => {
  it('gives each reason code its case', () => {
    const ok = device(1);
    const suspended = device(2, { status: 'suspended' });
    const revoked = device(3, { status: 'revoked' });
    const weak = device(4);
    const unscored = device(5);
    const noWallet = device(6, { owner: null });
    const badWallet = device(7, { owner: 'not a wallet' });
    const zero = device(8);
    const nowhere = device(9, { lat: null, lon: null });
    const stranger = device(10);
    const scores = [
      score(ok, 0.9),
      score(suspended, 0.9),
      score(revoked, 0.9),
      score(weak, 0.49),
      score(noWallet, 0.9),
      score(badWallet, 0.9),
      score(zero, 0.9, 0),
      score(nowhere, 0.9),
      score(stranger, 0.9),
    ];
    const suspendedUnscored = device(11, { status: 'suspended' });
    const devices = [ok, suspended, revoked, weak, unscored, noWallet, badWallet, zero, nowhere, suspendedUnscored];

    const outcomes = allocateEmission(testParams, pools, devices, scores);

    expect(reasonOf(outcomes, ok.device)).toBe('rewarded');
    expect(reasonOf(outcomes, suspended.device)).toBe('suspended');
    expect(reasonOf(outcomes, revoked.device)).toBe('suspended');
    expect(reasonOf(outcomes, suspendedUnscored.device)).toBe('suspended'); // suspension outranks a missing score
    expect(reasonOf(outcomes, weak.device)).toBe('below_threshold');
    expect(reasonOf(outcomes, unscored.device)).toBe('no_score');
    expect(reasonOf(outcomes, noWallet.device)).toBe('held_no_wallet');
    expect(reasonOf(outcomes, badWallet.device)).toBe('held_no_wallet');
    expect(reasonOf(outcomes, zero.device)).toBe('zero_weight');
    expect(reasonOf(outcomes, nowhere.device)).toBe('no_location');
    expect(reasonOf(outcomes, stranger.device)).toBe('unknown_device');
    // the pool goes, to the base unit, to the three devices that earn (one of them held)
    const earning = outcomes.filter((o) => o.amount > 0n);
    expect(earning.map((o) => o.reason).sort()).toEqual(['held_no_wallet', 'held_no_wallet', 'rewarded']);
    expect(earning.reduce((s, o) => s + o.amount, 0n)).toBe(1_000_000n);
  });

  it('rewards at most K devices per kind and H3 cell, the best quality first', () => {
    // Given four weather stations in one cell (K = 2) and an energy meter there (no capacity for energy)
    const here = { lat: 52.0907, lon: 5.1214 };
    const stations = [0.6, 0.95, 0.8, 0.95].map((q, i) => ({ d: device(20 + i, here), q }));
    const meter = device(30, { ...here, kind: 'energy' });
    const scores = [...stations.map(({ d, q }) => score(d, q)), score(meter, 0.7)];

    const outcomes = allocateEmission(
      testParams,
      { ...pools, energy: 10n },
      [...stations.map((s) => s.d), meter],
      scores,
    );

    const rewarded = outcomes.filter((o) => o.reason === 'rewarded' && o.kind === 'weather').map((o) => o.device);
    expect(rewarded.sort()).toEqual([stations[1]!.d.device, stations[3]!.d.device].sort());
    expect(reasonOf(outcomes, stations[0]!.d.device)).toBe('over_capacity');
    expect(reasonOf(outcomes, stations[2]!.d.device)).toBe('over_capacity');
    expect(reasonOf(outcomes, meter.device)).toBe('rewarded');
    expect(outcomes.find((o) => o.device === meter.device)?.cell).toBe(latLngToCell(here.lat, here.lon, 8));
  });

  it('weights by quality × location × hardware-class multiplier', () => {
    const basic = device(40);
    const pro = device(41, { model: 'WS-PRO' });
    const outcomes = allocateEmission(
      testParams,
      { ...pools, weather: 3_000n },
      [basic, pro],
      [score(basic, 0.8, 0.5), score(pro, 0.8)],
    );
    expect(deviceWeight(0.8, 0.5, 1) * 4n).toBe(deviceWeight(0.8, 1, 2));
    expect(outcomes.map((o) => o.amount)).toEqual(basic.device < pro.device ? [600n, 2_400n] : [2_400n, 600n]);
  });
});

describe('computeEpoch', () => {
  const a = device(50);
  const b = device(51, { owner: null });
  const c = device(52, { owner: testId(50, 2) }); // same owner as a
  const s = device(53, { status: 'suspended' });
  const inputs: EpochInputs = {
    epoch: 7,
    params: testParams,
    devices: [a, b, c, s],
    scores: [score(a, 0.9), score(b, 0.9), score(c, 0.6), score(s, 0.9)],
    credits: [
      { id: '1', device: a.device, wallet: null, amount: 500n, source: 'sale:ord-1' },
      { id: '2', device: s.device, wallet: null, amount: 70n, source: 'sale:ord-1' },
      { id: '3', device: null, wallet: testId(99, 2), amount: 30n, source: 'sale:ord-2' },
    ],
    openHolds: [
      { epoch: 3, device: c.device, source: 'emission', amount: 1_234n, reason: 'held_no_wallet' },
      { epoch: 4, device: s.device, source: 'emission', amount: 9n, reason: 'held_no_wallet' },
    ],
  };

  it('aggregates per owner wallet and accounts for every base unit', () => {
    const result = computeEpoch(inputs);
    const { totals } = result;
    expect(totals.emission).toBe(1_000_000_000n);
    expect(totals.rewarded).toBe(500_000_000n); // the weather half; nobody measures energy
    expect(totals.payout + totals.held).toBe(totals.rewarded + totals.credited + totals.released);
    expect(totals.released).toBe(1_234n);
    // a and c share an owner: one payout row
    const owners = result.payouts.map((p) => p.wallet);
    expect(new Set(owners).size).toBe(owners.length);
    expect(owners).toContain(testId(50, 2));
    expect(owners).toContain(testId(99, 2));
    // b's emission and s's sale credit are held, s's old hold stays open
    expect(result.newHolds.map((h) => [h.device, h.source, h.reason])).toEqual(
      expect.arrayContaining([
        [b.device, 'emission', 'held_no_wallet'],
        [s.device, 'sale:ord-1', 'held_suspended'],
      ]),
    );
    expect(result.releasedHolds.map((h) => h.device)).toEqual([c.device]);
  });

  it('is deterministic: input order does not change the root', () => {
    const one = computeEpoch(inputs);
    const two = computeEpoch({
      ...inputs,
      devices: [...inputs.devices].reverse(),
      scores: [...inputs.scores].reverse(),
      credits: [...inputs.credits].reverse(),
      openHolds: [...inputs.openHolds].reverse(),
    });
    expect(two.manifest.root).toBe(one.manifest.root);
    expect(two.manifest.texts).toEqual(one.manifest.texts);
    expect(computeEpoch({ ...inputs, epoch: 8 }).manifest.root).not.toBe(one.manifest.root);
  });

  it('proves each device leaf against the root, and a stored manifest rebuilds the same root', () => {
    const { manifest } = computeEpoch(inputs);
    const proofs = proofsForDevice(manifest, a.device);
    expect(proofs.map((p) => p.leaf.source).sort()).toEqual(['emission', 'sale:ord-1']);
    for (const p of proofs) {
      const ok = verifyInclusionProof(
        Buffer.from(p.leafHash, 'hex'),
        p.index,
        manifest.leaves.length,
        p.proof.map((x) => Buffer.from(x, 'hex')),
        Buffer.from(manifest.root, 'hex'),
      );
      expect(ok).toBe(true);
    }
    expect(manifestFromTexts(7, manifest.texts).root).toBe(manifest.root);
    const tampered = [...manifest.texts];
    tampered[0] = tampered[0]!.replace(/"amount":"\d+"/, '"amount":"1"');
    expect(manifestFromTexts(7, tampered).root).not.toBe(manifest.root);
  });

  it('has a defined root for an empty epoch, and refuses credits it cannot pay', () => {
    const empty = computeEpoch({ ...inputs, devices: [], scores: [], credits: [], openHolds: [] });
    expect(empty.manifest.root).toBe(EMPTY_ROOT);
    expect(empty.payouts).toEqual([]);
    expect(isPayableCredit({ id: 'x', device: null, wallet: 'nope', amount: 1n, source: 'sale:1' })).toBe(false);
    expect(isPayableCredit({ id: 'x', device: a.device, wallet: null, amount: 1n, source: 'held:1:emission' })).toBe(
      false,
    );
    expect(isPayableCredit({ id: 'x', device: a.device, wallet: null, amount: 0n, source: 'sale:1' })).toBe(false);
    expect(() =>
      computeEpoch({ ...inputs, credits: [{ id: 'x', device: null, wallet: 'nope', amount: 1n, source: 'sale:1' }] }),
    ).toThrow(/BAD_PARAMS/);
  });
});
