import { ConfigError, parseConfig } from '@groundtruth/service-kit';
import { describe, expect, it } from 'vitest';
import { scoringConfigSchema } from './scoring.config.js';

const DATABASE_URL = 'postgres://u@127.0.0.1:5432/gt';

describe('scoringConfigSchema', () => {
  it('defaults to the rewards calendar (UTC days from 2025-01-01, 1 h grace) on TimescaleDB', () => {
    const config = parseConfig(scoringConfigSchema, { DATABASE_URL });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8082,
      calendar: { genesisMs: Date.UTC(2025, 0, 1), durationMs: 86_400_000, graceMs: 3_600_000 },
      copy: true,
      operatorTokens: [],
      runIntervalMs: 60_000,
      version: undefined,
      firstEpoch: undefined,
    });
  });

  it('takes the embedded network’s short epochs and PGlite settings', () => {
    const config = parseConfig(scoringConfigSchema, {
      DATABASE_URL,
      SCORING_EPOCH_SECONDS: '60',
      SCORING_GRACE_SECONDS: '15',
      SCORING_COPY: 'false',
      SCORING_OPERATOR_TOKENS: 'operator=embedded-operator',
      SCORING_VERSION: 'qod-1.0.0',
      SCORING_NOTIFY: 'false',
    });
    expect(config.calendar).toMatchObject({ durationMs: 60_000, graceMs: 15_000 });
    expect(config.copy).toBe(false);
    expect(config.operatorTokens).toEqual([{ name: 'operator', token: 'embedded-operator' }]);
    expect(config.version).toBe('qod-1.0.0');
  });

  it('fails fast naming each bad variable', () => {
    expect(() =>
      parseConfig(scoringConfigSchema, {
        DATABASE_URL: 'mysql://x',
        SCORING_EPOCH_SECONDS: '0',
        SCORING_VERSION: 'v2',
        SCORING_OPERATOR_TOKENS: 'a=short',
      }),
    ).toThrow(ConfigError);
    try {
      parseConfig(scoringConfigSchema, {
        DATABASE_URL: 'mysql://x',
        SCORING_EPOCH_SECONDS: '0',
        SCORING_VERSION: 'v2',
      });
    } catch (error) {
      const text = (error as ConfigError).message;
      expect(text).toMatch(/DATABASE_URL/);
      expect(text).toMatch(/SCORING_EPOCH_SECONDS/);
      expect(text).toMatch(/SCORING_VERSION/);
    }
  });
});
