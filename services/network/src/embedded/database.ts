import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepMessageGroupsTogether } from './message-groups.js';

/**
 * PGlite (PostgreSQL compiled to WebAssembly) served over the PostgreSQL wire protocol, so every service's
 * `pg` code runs unchanged in the embedded mode. Its data lives in `<dataDir>/pg`.
 *
 * Known differences from a PostgreSQL server, which the services handle: COPY FROM STDIN is not carried over
 * the socket (writers fall back to INSERT), and LISTEN/NOTIFY notifications are not delivered (listeners
 * fall back to polling); connections are multiplexed onto PGlite's single backend.
 */
export interface EmbeddedDatabase {
  readonly url: string;
  readonly capabilities: { readonly copy: false; readonly notify: false };
  close(): Promise<void>;
}

export async function startEmbeddedDatabase(
  dataDir: string,
  options: { host?: string; port?: number } = {},
): Promise<EmbeddedDatabase> {
  const dir = `${dataDir}/pg`;
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({
    db,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: 64,
  });
  keepMessageGroupsTogether(server);
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    capabilities: { copy: false, notify: false },
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
