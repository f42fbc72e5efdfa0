import type { ByteStreamFactory } from './byte-stream.js';
import { serialStreamFactory, type SerialStreamOptions } from './serial-stream.js';
import { tcpStreamFactory, type TcpStreamOptions } from './tcp-stream.js';

export type StreamEndpoint =
  ({ readonly type: 'tcp' } & TcpStreamOptions) | ({ readonly type: 'serial' } & SerialStreamOptions);

export class StreamUrlError extends Error {
  override readonly name = 'StreamUrlError';
  readonly code = 'BAD_STREAM_URL';
}

/**
 * Parses where an adapter's bytes come from, as the CLI takes it:
 * `tcp://192.168.0.10:35000` or `serial:///dev/ttyUSB0?baud=115200&databits=7&parity=even&stopbits=1`.
 * Throws StreamUrlError (code BAD_STREAM_URL) naming what is wrong.
 */
export function parseStreamUrl(text: string, defaultBaud = 115200): StreamEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StreamUrlError(`not a URL: "${text}" (expected tcp://host:port or serial:///dev/ttyX?baud=N)`);
  }
  if (url.protocol === 'tcp:') {
    const port = Number(url.port);
    if (!url.hostname || !Number.isInteger(port) || port <= 0) {
      throw new StreamUrlError(`tcp URL needs host and port: "${text}"`);
    }
    return { type: 'tcp', host: url.hostname, port };
  }
  if (url.protocol === 'serial:') {
    const path = decodeURIComponent(url.pathname);
    const baudRate = Number(url.searchParams.get('baud') ?? defaultBaud);
    const dataBits = Number(url.searchParams.get('databits') ?? 8);
    const parity = url.searchParams.get('parity') ?? 'none';
    const stopBits = Number(url.searchParams.get('stopbits') ?? 1);
    if (!path || path === '/') {
      throw new StreamUrlError(`serial URL needs a device path: "${text}"`);
    }
    if (!Number.isInteger(baudRate) || baudRate <= 0) {
      throw new StreamUrlError(`bad baud rate in "${text}"`);
    }
    if ((dataBits !== 7 && dataBits !== 8) || (stopBits !== 1 && stopBits !== 2)) {
      throw new StreamUrlError(`databits must be 7 or 8 and stopbits 1 or 2 in "${text}"`);
    }
    if (parity !== 'none' && parity !== 'even' && parity !== 'odd') {
      throw new StreamUrlError(`parity must be none, even or odd in "${text}"`);
    }
    return { type: 'serial', path, baudRate, dataBits, parity, stopBits };
  }
  throw new StreamUrlError(`unsupported scheme "${url.protocol}" in "${text}" (tcp: or serial:)`);
}

export function streamFactory(endpoint: StreamEndpoint): ByteStreamFactory {
  return endpoint.type === 'tcp' ? tcpStreamFactory(endpoint) : serialStreamFactory(endpoint);
}
