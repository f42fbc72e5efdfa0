import { connect, type Socket } from 'node:net';

/**
 * A minimal MQTT 3.1.1 publisher for load runs: QoS 1 PUBLISH frames encoded once, before the clock starts,
 * written to the socket many at a time, PUBACKs counted by packet id. The measured system (broker, ingest,
 * database) sees ordinary MQTT traffic; the load generator itself costs a few microseconds per message
 * instead of mqtt.js's ~100 µs, which on a 2-core machine would otherwise take the CPU the ingest needs.
 */

/** One QoS 1 PUBLISH frame whose packet id is written just before it is sent. */
export interface PublishFrame {
  readonly bytes: Buffer;
  /** offset of the 2-byte packet id inside `bytes` */
  readonly idAt: number;
}

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) {
      byte |= 0x80;
    }
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Encodes `topic` + `payload` as an MQTT 3.1.1 QoS 1 PUBLISH (packet id 0 until {@link RawPublisher} sets it). */
export function encodePublishFrame(topic: string, payload: Uint8Array): PublishFrame {
  const topicBytes = Buffer.from(topic, 'utf8');
  const rest = 2 + topicBytes.length + 2 + payload.length;
  const header = [0x32, ...remainingLength(rest)];
  const bytes = Buffer.allocUnsafe(header.length + rest);
  bytes.set(header, 0);
  let at = header.length;
  bytes.writeUInt16BE(topicBytes.length, at);
  topicBytes.copy(bytes, at + 2);
  at += 2 + topicBytes.length;
  const idAt = at;
  bytes.writeUInt16BE(0, at);
  bytes.set(payload, at + 2);
  return { bytes, idAt };
}

function connectFrame(clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  // protocol name "MQTT", level 4, flags: clean session; keepalive 0 (no PINGREQ needed during a run)
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x00]);
  const rest = variable.length + 2 + id.length;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(id.length);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(rest)]), variable, length, id]);
}

/**
 * QoS 1 publishing over one connection with a window of unacknowledged messages. Packet ids are handed out
 * in order and reused only once acknowledged.
 */
export class RawPublisher {
  private buffered = Buffer.alloc(0);
  private readonly inFlight = new Uint8Array(65_536);
  private inFlightCount = 0;
  private nextId = 1;
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private onAck: ((packetId: number) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  static async connect(url: string, clientId: string): Promise<RawPublisher> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port || 1883), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(connectFrame(clientId));
    const connack = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 4) {
          socket.off('data', onData);
          resolve(got);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    if (connack[0] !== 0x20 || connack[3] !== 0) {
      socket.destroy();
      throw new Error(`broker refused the connection (CONNACK ${connack.subarray(0, 4).toString('hex')})`);
    }
    const publisher = new RawPublisher(socket);
    if (connack.length > 4) {
      publisher.read(connack.subarray(4));
    }
    return publisher;
  }

  get unacknowledged(): number {
    return this.inFlightCount;
  }

  /** Called with the packet id of every PUBACK. */
  onAcknowledged(listener: (packetId: number) => void): void {
    this.onAck = listener;
  }

  /**
   * Sends the frames (ids assigned here) as one socket write once fewer than `window` are unacknowledged;
   * resolves with the packet id of each frame.
   */
  async send(frames: readonly PublishFrame[], window: number): Promise<number[]> {
    const ids: number[] = [];
    for (const frame of frames) {
      while (this.inFlightCount >= window || this.inFlight[this.nextId] === 1) {
        await this.room();
      }
      const id = this.nextId;
      this.nextId = id === 65_535 ? 1 : id + 1;
      this.inFlight[id] = 1;
      this.inFlightCount++;
      frame.bytes.writeUInt16BE(id, frame.idAt);
      ids.push(id);
    }
    this.check();
    this.socket.write(frames.length === 1 ? frames[0]!.bytes : Buffer.concat(frames.map((f) => f.bytes)));
    return ids;
  }

  /** Resolves once every sent message is acknowledged. */
  async drain(): Promise<void> {
    while (this.inFlightCount > 0) {
      await this.room();
    }
    this.check();
  }

  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    this.socket.removeAllListeners('close');
    await new Promise<void>((resolve) => this.socket.end(Buffer.from([0xe0, 0x00]), () => resolve()));
    this.socket.destroy();
  }

  private room(): Promise<void> {
    this.check();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private check(): void {
    if (this.failure) {
      throw this.failure;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private read(chunk: Buffer): void {
    let data = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let at = 0;
    let acked = false;
    while (data.length - at >= 2) {
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      for (;;) {
        if (i >= data.length) {
          length = -1;
          break;
        }
        const byte = data[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          break;
        }
      }
      if (length < 0 || data.length - i < length) {
        break;
      }
      if (data[at]! >> 4 === 4 && length >= 2) {
        const id = data.readUInt16BE(i);
        if (this.inFlight[id] === 1) {
          this.inFlight[id] = 0;
          this.inFlightCount--;
          acked = true;
          this.onAck?.(id);
        }
      }
      at = i + length;
    }
    data = data.subarray(at);
    this.buffered = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
    if (acked) {
      this.wake();
    }
  }
}
