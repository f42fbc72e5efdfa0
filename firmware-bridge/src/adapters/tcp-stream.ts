import { connect, type Socket } from 'node:net';
import { BaseByteStream, type ByteStream, type ByteStreamFactory } from './byte-stream.js';

/** A ByteStream over a connected TCP socket (Wi-Fi ELM327 dongles listen on 35000, ser2net, GNSS over TCP). */
export class SocketByteStream extends BaseByteStream {
  constructor(private readonly socket: Socket) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('error', (error) => this.emitClose(error));
    socket.on('close', () => this.emitClose());
  }
  write(data: string | Uint8Array): void {
    if (!this.closed && this.socket.writable) {
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    }
  }
  async close(): Promise<void> {
    if (this.socket.destroyed) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}

export interface TcpStreamOptions {
  readonly host: string;
  readonly port: number;
  /** connect timeout, ms (default 5000) */
  readonly timeoutMs?: number;
}

/** Connects to a TCP endpoint; rejects with the socket error (ECONNREFUSED, timeout). */
export function openTcpStream(options: TcpStreamOptions): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`connect timeout to ${options.host}:${options.port}`)),
      options.timeoutMs ?? 5000,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(new SocketByteStream(socket));
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}

export const tcpStreamFactory =
  (options: TcpStreamOptions): ByteStreamFactory =>
  () =>
    openTcpStream(options);
