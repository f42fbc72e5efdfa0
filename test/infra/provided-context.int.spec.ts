import { describe, expect, inject, it } from 'vitest';

describe('the integration global setup', () => {
  it('hands the service URLs to tests through inject() and through the environment alike', () => {
    expect(inject('mqttUrl')).toMatch(/^mqtts?:\/\//);
    expect(inject('databaseUrl')).toMatch(/^postgres(ql)?:\/\//);
    expect(process.env.MQTT_URL).toBe(inject('mqttUrl'));
    expect(process.env.DATABASE_URL).toBe(inject('databaseUrl'));
  });
});
