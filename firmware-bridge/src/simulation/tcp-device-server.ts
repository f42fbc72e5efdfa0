import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ByteStream } from '../adapters/byte-stream.js';
import { SocketByteStream } from '../adapters/tcp-stream.js';

/**
 * A TCP listener for an emulated device (a Wi-Fi ELM327 on port 35000, a GNSS receiver behind ser2net, a
 * P1 dongle): every connection becomes a ByteStream handed to the device emulator.
 */
export class TcpDeviceServer {
  private readonly server: Server;
  private readonly streams = new Set<ByteStream>();

  constructor(attach: (stream: ByteStream) => void) {
    this.server = createServer((socket) => {
      const stream = new SocketByteStream(socket);
      this.streams.add(stream);
      stream.onClose(() => this.streams.delete(stream));
      attach(stream);
    });
  }

  /** Listens (port 0 picks a free one) and resolves with the port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams].map((stream) => stream.close()));
    if (this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }
}
