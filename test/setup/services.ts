/**
 * Private Mosquitto + PostgreSQL (TimescaleDB when installed) for the integration tests: free ports on
 * 127.0.0.1, one temp directory each under os.tmpdir(), nothing shared with the machine's own services.
 */
import { killMosquittoSync, startMosquitto, stopMosquitto, type MosquittoInstance } from './mosquitto.js';
import { startPostgres, stopPostgres, stopPostgresSync, type PostgresInstance } from './postgres.js';

export * from './mosquitto.js';
export * from './postgres.js';

export interface PrivateServices {
  mosquitto?: MosquittoInstance;
  postgres?: PostgresInstance;
}

const running = new Set<PrivateServices>();
let exitHookInstalled = false;

/** Starts the wanted services in parallel; if one fails, the other is stopped again. */
export async function startPrivateServices(
  want: { mosquitto: boolean; postgres: boolean } = { mosquitto: true, postgres: true },
): Promise<PrivateServices> {
  installExitHook();
  const [mosquitto, postgres] = await Promise.allSettled([
    want.mosquitto ? startMosquitto() : undefined,
    want.postgres ? startPostgres() : undefined,
  ]);
  const services: PrivateServices = {};
  if (mosquitto.status === 'fulfilled' && mosquitto.value) {
    services.mosquitto = mosquitto.value;
  }
  if (postgres.status === 'fulfilled' && postgres.value) {
    services.postgres = postgres.value;
  }
  if (mosquitto.status === 'rejected' || postgres.status === 'rejected') {
    await stopPrivateServices(services);
    throw mosquitto.status === 'rejected' ? mosquitto.reason : (postgres as PromiseRejectedResult).reason;
  }
  running.add(services);
  return services;
}

/** Clean shutdown (pg_ctl stop -m fast, SIGTERM to mosquitto) and removal of the temp directories. */
export async function stopPrivateServices(services: PrivateServices): Promise<void> {
  running.delete(services);
  await Promise.all([
    services.mosquitto && stopMosquitto(services.mosquitto, { removeFiles: true }),
    services.postgres && stopPostgres(services.postgres, { removeFiles: true }),
  ]);
}

/** If the process exits without teardown (crash, Ctrl-C), do not leave orphan servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { mosquitto, postgres } of running) {
      if (mosquitto) {
        killMosquittoSync(mosquitto);
      }
      if (postgres) {
        stopPostgresSync(postgres);
      }
    }
  });
}
