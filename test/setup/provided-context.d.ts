import type { MosquittoInstance } from './mosquitto.js';
import type { PostgresInstance } from './postgres.js';

// What test/setup/global-setup.ts provides to the integration project: `inject('databaseUrl')`.
declare module 'vitest' {
  export interface ProvidedContext {
    mqttUrl: string;
    databaseUrl: string;
    /** The private broker, to stop/restart it (`restartMosquitto`); null when MQTT_URL points elsewhere. */
    mosquittoControl: MosquittoInstance | null;
    /** The private cluster (`createDatabase`, `restartPostgres`); null when DATABASE_URL points elsewhere. */
    postgresControl: PostgresInstance | null;
  }
}
