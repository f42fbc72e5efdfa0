import { isHardwareKind } from '@groundtruth/protocol';
import type { Logger } from '@groundtruth/service-kit';
import pg from 'pg';
import type { DeviceStatus, RegisteredDevice } from './envelope.checks.js';

/** The channel the registry NOTIFYs on after a change to `devices`; the payload is the device id. */
export const DEVICES_CHANGED_CHANNEL = 'gt_devices_changed';

/** What the ingest asks of the registry: the devices of a batch, in one call. */
export interface DeviceDirectory {
  lookup(ids: readonly string[]): Promise<ReadonlyMap<string, RegisteredDevice | undefined>>;
}

export interface DeviceRegistryOptions {
  /** LISTEN for changes (default true); without it, entries simply expire after `maxAgeMs` */
  readonly listen?: boolean;
  /** how long "not registered" is remembered (ms); a NOTIFY ends it sooner */
  readonly unknownTtlMs?: number;
  /** how long any entry is trusted without a NOTIFY (ms): a safety net, not the mechanism */
  readonly maxAgeMs?: number;
  readonly maxEntries?: number;
}

interface Entry {
  readonly device: RegisteredDevice | undefined;
  readonly expiresAt: number;
}

const STATUSES: readonly string[] = ['active', 'suspended', 'revoked'] satisfies DeviceStatus[];

/**
 * A read-through cache of the `devices` table that follows registry changes without a restart: it LISTENs
 * on {@link DEVICES_CHANGED_CHANNEL} and drops the named device (an empty payload or `*` drops everything).
 * Misses of one batch are fetched in one query. When the LISTEN connection is lost it reconnects and
 * forgets everything, since notifications may have been missed meanwhile.
 */
export class DeviceRegistry implements DeviceDirectory {
  private readonly cache = new Map<string, Entry>();
  private listener: pg.Client | undefined;
  private stopped = false;
  private epoch = 0;
  private allInvalidatedAt = -1;
  private readonly invalidated = new Map<string, number>();
  private lookupsInFlight = 0;
  private readonly unknownTtlMs: number;
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly listens: boolean;

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    options: DeviceRegistryOptions = {},
  ) {
    this.unknownTtlMs = options.unknownTtlMs ?? 5_000;
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.listens = options.listen ?? true;
  }

  /** Starts listening for changes; resolves once LISTEN is in place. */
  async start(): Promise<void> {
    if (this.listens) {
      await this.listen();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.end().catch(() => undefined);
  }

  async lookup(ids: readonly string[]): Promise<ReadonlyMap<string, RegisteredDevice | undefined>> {
    const now = Date.now();
    const found = new Map<string, RegisteredDevice | undefined>();
    const missing: string[] = [];
    for (const id of ids) {
      if (found.has(id)) {
        continue;
      }
      const entry = this.cache.get(id);
      if (entry !== undefined && entry.expiresAt > now) {
        found.set(id, entry.device);
      } else {
        found.set(id, undefined);
        missing.push(id);
      }
    }
    if (missing.length === 0) {
      return found;
    }
    const startEpoch = this.epoch;
    this.lookupsInFlight++;
    try {
      // One simple-protocol message (literals escaped, no parameters): PGlite's socket server multiplexes its
      // connections message by message, and an extended-protocol query (Parse/Bind/Execute) outside a
      // transaction can be cut in two by another connection's statements there.
      const { rows } = await this.pool.query<{ device_id: string; kind: string; status: string }>(
        `SELECT device_id, kind, status FROM devices WHERE device_id IN (${missing.map(pg.escapeLiteral).join(', ')})`,
      );
      const fetched = new Map<string, RegisteredDevice>();
      for (const row of rows) {
        if (isHardwareKind(row.kind) && STATUSES.includes(row.status)) {
          fetched.set(row.device_id, { id: row.device_id, kind: row.kind, status: row.status as DeviceStatus });
        }
      }
      const at = Date.now();
      for (const id of missing) {
        const device = fetched.get(id);
        found.set(id, device);
        this.remember(
          id,
          { device, expiresAt: at + (device === undefined ? this.unknownTtlMs : this.maxAgeMs) },
          startEpoch,
        );
      }
      return found;
    } finally {
      if (--this.lookupsInFlight === 0) {
        this.invalidated.clear();
      }
    }
  }

  /** Drops one device (or all: no id, '' or '*') from the cache: the next lookup reads the table. */
  invalidate(id?: string): void {
    this.epoch++;
    if (id === undefined || id === '' || id === '*') {
      this.cache.clear();
      this.allInvalidatedAt = this.epoch;
      return;
    }
    this.cache.delete(id);
    if (this.lookupsInFlight > 0) {
      this.invalidated.set(id, this.epoch);
    }
  }

  get cachedDevices(): number {
    return this.cache.size;
  }

  private remember(id: string, entry: Entry, startEpoch: number): void {
    // A NOTIFY that arrived while we were reading may describe a newer state than our row: do not cache it.
    if (this.allInvalidatedAt > startEpoch || (this.invalidated.get(id) ?? -1) > startEpoch) {
      return;
    }
    if (this.cache.size >= this.maxEntries && !this.cache.has(id)) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(id, entry);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'gt-ingest-registry',
      keepAlive: true,
    });
    const lost = (error?: Error) => {
      if (this.listener !== client) {
        return;
      }
      this.listener = undefined;
      client.removeAllListeners();
      void client.end().catch(() => undefined);
      if (!this.stopped) {
        this.logger.warn('ingest_registry_listen_lost', { error });
        this.invalidate();
        setTimeout(() => void this.reconnect(), 1000).unref();
      }
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === DEVICES_CHANGED_CHANNEL) {
        this.invalidate(message.payload);
      }
    });
    this.listener = client;
    await client.connect();
    await client.query(`LISTEN ${DEVICES_CHANGED_CHANNEL}`);
    // Anything cached before LISTEN took effect may be stale.
    this.invalidate();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped || this.listener !== undefined) {
      return;
    }
    try {
      await this.listen();
      this.logger.info('ingest_registry_listen_restored', {});
    } catch (error) {
      this.listener = undefined;
      this.logger.warn('ingest_registry_listen_retry', { error });
      setTimeout(() => void this.reconnect(), 2000).unref();
    }
  }
}
