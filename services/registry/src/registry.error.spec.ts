import { ConfigError, parseConfig } from '@groundtruth/service-kit';
import { REGISTRATION_ERROR_CODES, RegistrationError } from '@groundtruth/protocol';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './error-status.js';
import { registryConfigSchema } from './registry.config.js';
import { REGISTRY_ERROR_CODES, RegistryError } from './registry.error.js';
import { toRegistryError } from './registry-error.filter.js';

describe('registry error codes', () => {
  it('are unique, include every registration code, and each has a 4xx or 5xx status', () => {
    expect(new Set(REGISTRY_ERROR_CODES).size).toBe(REGISTRY_ERROR_CODES.length);
    expect(REGISTRY_ERROR_CODES).toEqual(expect.arrayContaining([...REGISTRATION_ERROR_CODES]));
    for (const code of REGISTRY_ERROR_CODES) {
      expect(httpStatusOf(code), code).toBeGreaterThanOrEqual(400);
      expect(httpStatusOf(code), code).toBeLessThan(600);
    }
    expect(httpStatusOf('INTERNAL')).toBe(500);
    expect(REGISTRY_ERROR_CODES.filter((code) => httpStatusOf(code) >= 500)).toEqual(['INTERNAL']);
  });

  it('carry a protocol check failure over with its code and field path', () => {
    const lifted = RegistryError.fromRegistration(
      new RegistrationError('BAD_NONCE', 'nonce must be hex', { path: 'request.nonce' }),
    );
    expect([lifted.code, lifted.message, lifted.details]).toEqual([
      'BAD_NONCE',
      'nonce must be hex',
      { path: 'request.nonce' },
    ]);
  });
});

describe('toRegistryError', () => {
  it('maps what the framework and body parser throw to stable codes, and hides internal messages', () => {
    const parseFailure = Object.assign(new SyntaxError('Unexpected end'), { status: 400, type: 'entity.parse.failed' });
    expect(toRegistryError(new BadRequestException('x', { cause: parseFailure })).code).toBe('MALFORMED_JSON');
    const tooLarge = Object.assign(new Error('too large'), { type: 'entity.too.large' });
    expect(toRegistryError(new HttpException('too large', 413, { cause: tooLarge })).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toRegistryError(new NotFoundException()).code).toBe('NOT_FOUND');
    const internal = toRegistryError(new Error('password=hunter2 in connection string'));
    expect([internal.code, internal.message]).toEqual(['INTERNAL', 'internal error']);
    const own = new RegistryError('DEVICE_EXISTS', 'exists');
    expect(toRegistryError(own)).toBe(own);
  });
});

describe('registry configuration', () => {
  const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/gt' };
  it('gives the defaults and parses operator tokens', () => {
    const config = parseConfig(registryConfigSchema, { ...base, REGISTRY_OPERATOR_TOKENS: 'ops=0123456789abcdef' });
    expect(config).toMatchObject({ port: 8081, maxRequestValidityMs: 3_600_000, requireMakerAttestation: false });
    expect(config.operatorTokens).toEqual([{ name: 'ops', token: '0123456789abcdef' }]);
  });
  it('fails fast naming the variable at fault', () => {
    expect(() => parseConfig(registryConfigSchema, {})).toThrow(/DATABASE_URL/);
    expect(() => parseConfig(registryConfigSchema, { ...base, REGISTRY_OPERATOR_TOKENS: 'ops=weak' })).toThrow(
      ConfigError,
    );
    expect(() => parseConfig(registryConfigSchema, { ...base, REGISTRY_OPERATOR_TOKENS: 'ops=weak' })).toThrow(
      /REGISTRY_OPERATOR_TOKENS/,
    );
    expect(() => parseConfig(registryConfigSchema, { ...base, REGISTRY_PORT: 'eighty' })).toThrow(/REGISTRY_PORT/);
  });
});
