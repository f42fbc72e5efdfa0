import { describe, expect, it } from 'vitest';
import { createBytePipe, LineSplitter } from './byte-stream.js';
import { parseStreamUrl, StreamUrlError } from './stream-url.js';
import { dewPointMagnus, fahrenheitToCelsius, humidityFromDewPoint, inHgToPa, mphToMs } from './units.js';

describe('parseStreamUrl', () => {
  it('reads TCP and serial endpoints', () => {
    expect(parseStreamUrl('tcp://192.168.0.10:35000')).toEqual({ type: 'tcp', host: '192.168.0.10', port: 35000 });
    expect(parseStreamUrl('serial:///dev/ttyUSB0?baud=9600&databits=7&parity=even')).toEqual({
      type: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      dataBits: 7,
      parity: 'even',
      stopBits: 1,
    });
    expect(parseStreamUrl('serial:///dev/ttyAMA0', 115200)).toMatchObject({
      baudRate: 115200,
      dataBits: 8,
      parity: 'none',
    });
  });

  it.each([
    'ttyUSB0',
    'tcp://host',
    'udp://h:1',
    'serial:///dev/x?baud=fast',
    'serial:///dev/x?parity=mark',
    'serial:///dev/x?databits=9',
  ])('refuses %s with BAD_STREAM_URL', (url) => {
    expect(() => parseStreamUrl(url)).toThrow(StreamUrlError);
  });
});

describe('LineSplitter and byte pipes', () => {
  it('splits CR, LF and CR LF and keeps partial lines', () => {
    const splitter = new LineSplitter(16);
    expect(splitter.push('$A*00\r\n$B')).toEqual({ lines: ['$A*00'], overlong: 0 });
    expect(splitter.push('*01\r')).toEqual({ lines: ['$B*01'], overlong: 0 });
    expect(splitter.push('x'.repeat(40))).toEqual({ lines: [], overlong: 1 });
  });

  it('delivers what one end writes to the other, re-chunked, and closes both ends', async () => {
    const [a, b] = createBytePipe({ split: (chunk) => [chunk.subarray(0, 2), chunk.subarray(2)] });
    const received: string[] = [];
    b.onData((chunk) => received.push(chunk.toString('latin1')));
    let closed = false;
    b.onClose(() => (closed = true));
    a.write('ATZ\r');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual(['AT', 'Z\r']);
    await a.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });
});

describe('units', () => {
  it('converts the imperial units gateways send', () => {
    expect(fahrenheitToCelsius(212)).toBe(100);
    expect(inHgToPa(29.92)).toBeCloseTo(101320.8, 1);
    expect(mphToMs(10)).toBeCloseTo(4.4704, 6);
  });

  it('keeps Magnus dew point and humidity consistent', () => {
    const dew = dewPointMagnus(25, 60);
    expect(dew).toBeCloseTo(16.69, 1);
    expect(humidityFromDewPoint(25, dew)).toBeCloseTo(60, 6);
    expect(dewPointMagnus(10, 100)).toBeCloseTo(10, 6);
  });
});
