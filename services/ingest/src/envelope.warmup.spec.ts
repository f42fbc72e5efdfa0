import { NodeCryptoVerifier } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { warmUpOpener } from './envelope.warmup.js';

const rules = { maxFutureMs: 300_000, maxAgeMs: 86_400_000, clockAheadFlagMs: 30_000, delayedFlagMs: 600_000 };

describe('warmUpOpener', () => {
  it('opens its own signed envelopes of every kind', () => {
    expect(() => warmUpOpener(rules, new NodeCryptoVerifier(), 2)).not.toThrow();
  });

  it('fails the start when the opener refuses valid traffic', () => {
    // readings a second old are refused by a 10 ms age limit
    expect(() => warmUpOpener({ ...rules, maxAgeMs: 10 }, new NodeCryptoVerifier(), 1)).toThrow(
      /self-test refused an envelope/,
    );
    // a verifier that refuses every signature
    const refusing = { verify: () => false };
    expect(() => warmUpOpener(rules, refusing, 1)).toThrow(/"verified":false/);
  });
});
