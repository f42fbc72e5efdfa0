import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { statusTopic, type DeviceId } from '@groundtruth/protocol';
import { BridgeError } from '../core/bridge-error.js';
import { silentBridgeLogger, type BridgeLogger } from '../core/logger.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

/** TLS material as file paths (PEM); read once when the link starts. */
export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** default true: a broker whose certificate does not verify is refused */
  readonly rejectUnauthorized?: boolean;
}

export interface MqttLinkOptions {
  /** mqtt://, mqtts:// (TLS), ws:// or wss:// */
  readonly url: string;
  /**
   * 5 (default): MQTT 5 with session expiry and the broker's Receive Maximum. 4: MQTT 3.1.1 for brokers that
   * speak only that (the embedded Aedes): same persistent session (`clean: false`, kept by the broker), QoS 1,
   * Last Will and backoff; no session expiry, no PUBACK reason codes, the window is just `maxInflight`.
   */
  readonly protocolVersion?: 4 | 5;
  readonly device: DeviceId;
  /** default `gt-<device>`; a clone of a device needs another one */
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: TlsFiles;
  readonly keepaliveS?: number;
  /** how long the broker keeps the session after a disconnect (default 7 days) */
  readonly sessionExpiryS?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly logger?: BridgeLogger;
}

/** What the broker said in its CONNACK that the publisher must respect. */
export interface ConnectionInfo {
  readonly receiveMaximum: number | undefined;
  readonly maximumPacketSize: number | undefined;
  readonly sessionPresent: boolean;
}

export interface LinkListener {
  connected(info: ConnectionInfo): void;
  disconnected(reason: string): void;
}

export type PublishCallback = (error: (Error & { code?: number }) | undefined) => void;

const statusPayload = (device: DeviceId, status: 'online' | 'offline', ts?: number): string =>
  JSON.stringify(ts === undefined ? { v: 1, device, status } : { v: 1, device, status, ts });

/**
 * One device's MQTT 5 connection: a persistent session (clean: false, session expiry), QoS 1, a retained
 * Last Will on `gt/v1/<device>/status` ("offline") and a retained "online" on every connect, reconnects with
 * exponential backoff and jitter. Each attempt uses a fresh mqtt.js client, so mqtt.js never replays publishes
 * behind the publisher's back: the publisher owns every resend, from its window and the durable queue.
 */
export class MqttLink {
  private client: MqttClient | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private isConnected = false;
  private readonly logger: BridgeLogger;
  private readonly baseOptions: IClientOptions;

  constructor(
    private readonly options: MqttLinkOptions,
    private readonly listener: LinkListener,
  ) {
    this.logger = options.logger ?? silentBridgeLogger;
    const tls = options.tls;
    const read = (file: string | undefined, what: string): Buffer | undefined => {
      if (file === undefined) {
        return undefined;
      }
      try {
        return readFileSync(file);
      } catch (error) {
        throw new BridgeError('BAD_CONFIG', `cannot read the TLS ${what} file ${file}: ${(error as Error).message}`, {
          file,
        });
      }
    };
    const protocolVersion = options.protocolVersion ?? 5;
    this.baseOptions = {
      clientId: options.clientId ?? `gt-${options.device}`,
      protocolVersion,
      clean: false,
      keepalive: options.keepaliveS ?? 30,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 0, // reconnects are ours (backoff with jitter)
      ...(protocolVersion === 5
        ? { properties: { sessionExpiryInterval: options.sessionExpiryS ?? 7 * 24 * 3600 } }
        : {}),
      will: {
        topic: statusTopic(options.device),
        payload: Buffer.from(statusPayload(options.device, 'offline')),
        qos: 1,
        retain: true,
      },
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(tls === undefined
        ? {}
        : {
            ca: read(tls.ca, 'CA'),
            cert: read(tls.cert, 'certificate'),
            key: read(tls.key, 'key'),
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          }),
    };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  start(): void {
    this.stopping = false;
    this.open();
  }

  /** QoS 1 publish on the current connection; `done` gets the PUBACK outcome (never called after a drop). */
  publish(topic: string, payload: Buffer, done: PublishCallback): void {
    const client = this.client;
    if (client === undefined || !this.isConnected) {
      done(new Error('not connected'));
      return;
    }
    client.publish(topic, payload, { qos: 1 }, (error) => {
      if (client === this.client) {
        done((error ?? undefined) as (Error & { code?: number }) | undefined); // mqtt.js passes null on success
      }
    });
  }

  /** Marks the device offline (retained), disconnects cleanly within `timeoutMs`, and stops reconnecting. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    if (client === undefined) {
      return;
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    if (this.isConnected) {
      const offline = Buffer.from(statusPayload(this.options.device, 'offline', Date.now()));
      await Promise.race([
        client.publishAsync(statusTopic(this.options.device), offline, { qos: 1, retain: true }).catch(() => undefined),
        timeout,
      ]);
    }
    await Promise.race([client.endAsync(false).catch(() => undefined), timeout]);
    client.end(true);
    this.drop('stopped');
  }

  private open(): void {
    const client = connect(this.options.url, this.baseOptions);
    this.client = client;
    client.on('connect', (connack) => {
      this.attempt = 0;
      this.isConnected = true;
      const properties = connack.properties ?? {};
      this.logger.info('mqtt.connected', {
        sessionPresent: connack.sessionPresent,
        receiveMaximum: properties.receiveMaximum,
      });
      client.publish(statusTopic(this.options.device), statusPayload(this.options.device, 'online', Date.now()), {
        qos: 1,
        retain: true,
      });
      this.listener.connected({
        receiveMaximum: properties.receiveMaximum,
        maximumPacketSize: properties.maximumPacketSize,
        sessionPresent: connack.sessionPresent,
      });
    });
    client.on('error', (error) => {
      this.logger.warn('mqtt.error', { error, code: (error as { code?: unknown }).code });
    });
    client.on('close', () => {
      if (client !== this.client) {
        return;
      }
      this.drop('connection closed');
      if (!this.stopping) {
        const delay = backoffDelay(this.attempt++, this.options.backoff, this.options.random);
        this.logger.info('mqtt.reconnect_scheduled', { delayMs: delay, attempt: this.attempt });
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (!this.stopping) {
            this.open();
          }
        }, delay);
      }
    });
  }

  private drop(reason: string): void {
    const client = this.client;
    if (client === undefined) {
      return;
    }
    this.client = undefined;
    const wasConnected = this.isConnected;
    this.isConnected = false;
    client.removeAllListeners('connect');
    client.removeAllListeners('close');
    client.on('error', () => undefined); // late socket errors of a discarded client are not ours to report
    client.end(true);
    if (wasConnected) {
      this.listener.disconnected(reason);
    }
  }
}
