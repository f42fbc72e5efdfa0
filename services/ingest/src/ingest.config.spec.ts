import { ConfigError, parseConfig } from '@groundtruth/service-kit';
import { describe, expect, it } from 'vitest';
import { embeddedIngestConfig, ingestConfig, ingestConfigSchema } from './ingest.config.js';

describe('ingest config', () => {
  it('fills defaults around the one required variable', () => {
    const config = parseConfig(ingestConfigSchema, { DATABASE_URL: 'postgres://u@h/db' });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u@h/db',
      mqttUrl: 'mqtt://127.0.0.1:1883',
      shareGroup: 'ingest',
      batchMaxMessages: 1000,
      lateWindowMs: 600_000,
      quarantinePayloadBytes: 4096,
    });
  });

  it('parses numbers from the environment', () => {
    const config = parseConfig(ingestConfigSchema, {
      DATABASE_URL: 'postgres://u@h/db',
      INGEST_BATCH_MAX_MESSAGES: '250',
      INGEST_RATE_PER_S: '2.5',
    });
    expect(config.batchMaxMessages).toBe(250);
    expect(config.ratePerS).toBe(2.5);
  });

  it('fails naming the variable', () => {
    expect(() => parseConfig(ingestConfigSchema, { DATABASE_URL: 'nope' })).toThrow(ConfigError);
    expect(() =>
      parseConfig(ingestConfigSchema, { DATABASE_URL: 'postgres://u@h/db', INGEST_BATCH_MAX_MESSAGES: '0' }),
    ).toThrow(/INGEST_BATCH_MAX_MESSAGES/);
  });

  it('builds an in-process config from overrides', () => {
    const config = ingestConfig({ databaseUrl: 'postgres://u@h/db', clientId: 'x', batchMaxAgeMs: 5 });
    expect(config).toMatchObject({ clientId: 'x', batchMaxAgeMs: 5, batchMaxMessages: 1000 });
  });
});

describe('embedded ingest config', () => {
  it('says what Aedes and PGlite lack, and lets the caller override the rest', () => {
    const config = embeddedIngestConfig({ databaseUrl: 'postgres://u@h/db', mqttUrl: 'mqtt://h:1', clientId: 'x' });
    expect(config).toMatchObject({
      mqttProtocol: 4,
      shareGroup: '',
      copy: false,
      registryNotify: false,
      decodeWorkers: 0,
      clientId: 'x',
      batchMaxMessages: 1000,
    });
  });
});
