import type { TestProject } from 'vitest/node';
import { migrate } from '../../services/kit/src/db/migrate.js';
import { startPrivateServices, stopPrivateServices } from './services.js';

/**
 * Vitest global setup of the `integration` project. `MQTT_URL` / `DATABASE_URL` from the environment win
 * (CI with external infrastructure); whichever is unset gets a private Mosquitto or PostgreSQL+TimescaleDB.
 * The database is migrated. Tests read the URLs with `inject('mqttUrl')` or from process.env (test workers
 * are forked after this runs and inherit it).
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const external = { mqttUrl: process.env.MQTT_URL || undefined, databaseUrl: process.env.DATABASE_URL || undefined };
  const services = await startPrivateServices({ mosquitto: !external.mqttUrl, postgres: !external.databaseUrl });
  const mqttUrl = external.mqttUrl ?? services.mosquitto?.url ?? '';
  const databaseUrl = external.databaseUrl ?? services.postgres?.url ?? '';
  try {
    await migrate(databaseUrl, { log: () => {} });
  } catch (error) {
    await stopPrivateServices(services);
    throw error;
  }

  provide('mqttUrl', mqttUrl);
  provide('databaseUrl', databaseUrl);
  provide('mosquittoControl', services.mosquitto ?? null);
  provide('postgresControl', services.postgres ?? null);
  process.env.MQTT_URL = mqttUrl;
  process.env.DATABASE_URL = databaseUrl;

  return async () => {
    restoreEnv('MQTT_URL', external.mqttUrl);
    restoreEnv('DATABASE_URL', external.databaseUrl);
    await stopPrivateServices(services);
  };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
}
