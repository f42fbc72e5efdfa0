import { getAddressDecoder } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { parseTokenMetadataMemo, tokenMetadataMemo } from './token-metadata.js';

const mint = getAddressDecoder().decode(new Uint8Array(32).fill(9));

describe('token metadata memo', () => {
  it('is canonical JSON behind gt:token: and parses back', () => {
    const metadata = { mint, decimals: 6, name: 'GroundTruth', symbol: 'GRND', uri: 'https://example.org/t.json' };
    const text = tokenMetadataMemo(metadata);
    expect(text).toBe(
      `gt:token:{"decimals":6,"mint":"${mint}","name":"GroundTruth","symbol":"GRND","uri":"https://example.org/t.json"}`,
    );
    expect(parseTokenMetadataMemo(text)).toEqual(metadata);
  });

  it('returns undefined for other memos or malformed JSON', () => {
    expect(parseTokenMetadataMemo('gt:epoch:1:ab:1/1')).toBeUndefined();
    expect(parseTokenMetadataMemo('gt:token:{nope')).toBeUndefined();
    expect(parseTokenMetadataMemo('gt:token:{"name":"x"}')).toBeUndefined();
  });
});
