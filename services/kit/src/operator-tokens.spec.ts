import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from './config.js';
import { bearerToken, matchOperator, operatorTokensEnv, parseOperatorTokens } from './operator-tokens.js';

describe('operator tokens', () => {
  it('parse named and bare tokens from one variable', () => {
    expect(parseOperatorTokens(' alice=aaaaaaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbbbbbb,')).toEqual([
      { name: 'alice', token: 'aaaaaaaaaaaaaaaaaaaa' },
      { name: 'operator-2', token: 'bbbbbbbbbbbbbbbbbbbb' },
    ]);
    expect(parseOperatorTokens('')).toEqual([]);
    expect(parseOperatorTokens('')).toEqual([]);
  });

  it('refuse weak or ambiguous configurations', () => {
    expect(() => parseOperatorTokens('alice=short')).toThrow(/shorter than 16/);
    expect(() => parseOperatorTokens('x=aaaaaaaaaaaaaaaaaaaa,x=bbbbbbbbbbbbbbbbbbbb')).toThrow(/unique/);
  });

  it('match only the exact token, whatever its length', () => {
    const tokens = parseOperatorTokens('alice=aaaaaaaaaaaaaaaaaaaa,bob=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect(matchOperator(tokens, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')?.name).toBe('bob');
    expect(matchOperator(tokens, 'aaaaaaaaaaaaaaaaaaaa')?.name).toBe('alice');
    expect(matchOperator(tokens, 'aaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(matchOperator(tokens, 'aaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(matchOperator(tokens, '')).toBeUndefined();
    expect(matchOperator([], 'aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
  });

  it('read a bearer token from an Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('read the tokens from an environment variable, failing config parsing on a weak one', () => {
    const schema = z.object({ OPS: operatorTokensEnv() });
    expect(parseConfig(schema, {})).toEqual({ OPS: [] });
    expect(parseConfig(schema, { OPS: 'alice=aaaaaaaaaaaaaaaaaaaa' })).toEqual({
      OPS: [{ name: 'alice', token: 'aaaaaaaaaaaaaaaaaaaa' }],
    });
    expect(() => parseConfig(schema, { OPS: 'alice=short' })).toThrow(/OPS: operator token of "alice" is shorter/);
  });
});
