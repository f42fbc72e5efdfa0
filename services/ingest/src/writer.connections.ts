import type { Logger } from '@groundtruth/service-kit';
import pg from 'pg';

export interface WriterConnectionOptions {
  readonly databaseUrl: string;
  /** connections open at most (default 1) */
  readonly connections?: number;
  /** server-side statement timeout (ms) */
  readonly statementTimeoutMs?: number;
  /** runs once on every new connection before its first use (e.g. a schema check) */
  readonly prepare?: (client: pg.Client) => Promise<void>;
}

/**
 * The writer's own few connections, one transaction each at a time. A connection that failed (or could not
 * even roll back) is dropped and replaced, never reused mid-transaction. Not pg.Pool: a dropped connection
 * must never be handed out again, and waiters must be released when the writer closes.
 */
export class WriterConnections {
  private readonly idle: pg.Client[] = [];
  /** connections that emitted an error while idle or busy */
  private readonly broken = new WeakSet<pg.Client>();
  private readonly waiters: ((client: pg.Client | undefined) => void)[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly options: WriterConnectionOptions,
    private readonly logger: Logger,
  ) {}

  /** A connection for one transaction; waits while all are busy. */
  async acquire(): Promise<pg.Client> {
    if (this.closed) {
      throw new Error('the readings writer is closed');
    }
    const idle = this.idle.pop();
    if (idle !== undefined) {
      return idle;
    }
    if (this.open < (this.options.connections ?? 1)) {
      this.open++;
      try {
        return await this.connect();
      } catch (error) {
        this.open--;
        throw error;
      }
    }
    const client = await new Promise<pg.Client | undefined>((resolve) => this.waiters.push(resolve));
    if (client === undefined) {
      throw new Error('the readings writer is closed');
    }
    return client;
  }

  /** Gives a connection back; `healthy: false` drops it. */
  release(client: pg.Client, healthy: boolean): void {
    if (!healthy || this.closed || this.broken.has(client)) {
      this.broken.delete(client);
      this.open--;
      void client.end().catch(() => undefined);
      const waiter = this.waiters.shift();
      if (waiter !== undefined) {
        this.open++;
        this.connect().then(waiter, (error: unknown) => {
          this.open--;
          this.logger.warn('ingest_writer_connect_failed', { error });
          waiter(undefined);
        });
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.idle.push(client);
    } else {
      waiter(client);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter(undefined);
    }
    await Promise.all(this.idle.splice(0).map((client) => client.end().catch(() => undefined)));
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: 'gt-ingest-writer',
      keepAlive: true,
      statement_timeout: this.options.statementTimeoutMs ?? 60_000,
    });
    client.on('error', (error) => {
      this.logger.warn('ingest_writer_connection_error', { error });
      this.broken.add(client);
    });
    await client.connect();
    try {
      await this.options.prepare?.(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }
}
