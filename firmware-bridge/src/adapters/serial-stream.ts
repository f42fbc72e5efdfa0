import type { SerialPort } from 'serialport';
import { BaseByteStream, type ByteStream, type ByteStreamFactory } from './byte-stream.js';

export interface SerialStreamOptions {
  readonly path: string;
  /** ELM327: 38400 (v1.x clones) or 9600/115200; DSMR 5 P1: 115200; DSMR 2.2/3: 9600 7E1; NMEA: 4800/9600 */
  readonly baudRate: number;
  readonly dataBits?: 7 | 8;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly stopBits?: 1 | 2;
}

class SerialByteStream extends BaseByteStream {
  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emitData(chunk));
    port.on('error', (error: Error) => this.emitClose(error));
    port.on('close', () => this.emitClose());
  }
  write(data: string | Uint8Array): void {
    if (!this.closed && this.port.isOpen) {
      this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    }
  }
  async close(): Promise<void> {
    if (!this.port.isOpen) {
      return;
    }
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

/** Opens a serial port (USB ELM327, P1 cable, GNSS receiver) as a ByteStream. */
export async function openSerialStream(options: SerialStreamOptions): Promise<ByteStream> {
  // Loaded on first use: a bridge on a network adapter never pays for the native serial binding.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({
    path: options.path,
    baudRate: options.baudRate,
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    autoOpen: false,
  });
  return new Promise((resolve, reject) => {
    port.open((error) => (error ? reject(error) : resolve(new SerialByteStream(port))));
  });
}

export const serialStreamFactory =
  (options: SerialStreamOptions): ByteStreamFactory =>
  () =>
    openSerialStream(options);
