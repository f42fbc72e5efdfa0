import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Elm327Adapter } from '../src/adapters/elm327.adapter.js';
import { GnssReceiver } from '../src/adapters/gnss.adapter.js';
import { ModbusMeterAdapter } from '../src/adapters/modbus.adapter.js';
import { P1Adapter } from '../src/adapters/p1.adapter.js';
import { tcpStreamFactory } from '../src/adapters/tcp-stream.js';
import { collectingSink, fixture, fixtureJson } from './fixtures.js';

// The stream adapters over real TCP sockets (a Wi-Fi ELM327 dongle, a ser2net'd P1 port and GNSS receiver, a
// Modbus TCP gateway), fed captures written from the specifications: the ELM327 data sheet / SAE J1979
// dialogue, DSMR telegrams, NMEA sentences, SDM630 register dumps. Every malformed case is counted by reason.
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) {
    await fn();
  }
});

async function tcpServer(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/**
 * A scripted ELM327 (v1.5, CAN 11-bit/500k): echo on after ATZ until ATE0, `\r` line ends, `>` prompt. Each
 * OBD command answers from its list of replies in turn (the last one repeats), as captured with ATH1 ATS0.
 */
function scriptedElm327(replies: Record<string, string[]>): Promise<number> {
  return tcpServer((socket) => {
    let echo = true;
    let input = '';
    const calls = new Map<string, number>();
    socket.on('data', (chunk: Buffer) => {
      input += chunk.toString('latin1');
      for (let end = input.indexOf('\r'); end >= 0; end = input.indexOf('\r')) {
        const command = input.slice(0, end).trim().toUpperCase();
        input = input.slice(end + 1);
        let reply: string;
        if (command === 'ATZ') {
          echo = true;
          reply = '\r\rELM327 v1.5';
        } else if (/^AT(E0|L0|S0|H1|SP0)$/.test(command)) {
          echo = command === 'ATE0' ? false : echo;
          reply = 'OK';
        } else {
          const list = replies[command] ?? ['?'];
          const n = calls.get(command) ?? 0;
          calls.set(command, n + 1);
          reply = list[Math.min(n, list.length - 1)]!;
        }
        socket.write(`${echo ? `${command}\r` : ''}${reply}\r\r>`, 'latin1');
      }
    });
  });
}

describe('ELM327 OBD-II adapter over TCP, with a GNSS receiver', () => {
  it('initialises, discovers the supported PIDs from two ECUs, polls Mode 01 and merges the GNSS fix', async () => {
    // Given a dongle whose engine ECU (7E8) and transmission (7E9) both answer, as in SAE J1979 CAN captures
    const elmPort = await scriptedElm327({
      '0100': ['SEARCHING...\r7E8064100BE3FA813\r7E906410080000000'],
      '0120': ['7E806412000020001'], // 2F, and 40
      '0140': ['7E806414000000001'],
      '0160': ['7E806416000000001'],
      '0180': ['7E806418000000001'],
      '01A0': ['7E80641A004000000'], // A6 odometer
      '0104': ['7E803410480'],
      '0105': ['7E803410564'],
      '010C': ['7E904410C0FA0\r7E804410C1AF8'], // transmission first: the engine's answer is taken
      '010D': ['NO DATA', '7E803410D32', '7E803410D'], // then a value, then a frame cut short
      '012F': ['7E803412F80'],
      '01A6': ['7E80641A60001E240', 'CAN ERROR'],
    });
    const nmea = fixture('nmea/session.nmea').split('\n').slice(2, 4).join('\r\n') + '\r\n';
    const gnssPort = await tcpServer((socket) => {
      socket.write('$GNGGA,235959.00,5222.26040,N,00454.05330,E,1,10,0.86,2.3,M,46.9,M,,*42\r\n'); // bad checksum
      socket.write(nmea);
    });
    const adapter = new Elm327Adapter({
      open: tcpStreamFactory({ host: '127.0.0.1', port: elmPort }),
      gnss: new GnssReceiver({ open: tcpStreamFactory({ host: '127.0.0.1', port: gnssPort }) }),
      pollIntervalMs: 50,
      commandTimeoutMs: 1000,
      maxFixAgeMs: 60_000,
    });
    const { samples, reasons, sink, until } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());

    // When it has polled three cycles
    await until(() => samples.length >= 3, 10_000, '3 samples');

    // Then it polls exactly the PIDs the engine declared, in SI units
    expect([...adapter.supported].sort((a, b) => a - b)).toEqual([0x04, 0x05, 0x0c, 0x0d, 0x2f, 0xa6]);
    const [first, second, third] = samples;
    expect(first!.metrics).toEqual({
      engine_load: 50.2,
      coolant_temperature: 60,
      rpm: 1726,
      fuel_level: 50.2,
      odometer: 12_345_600,
      gnss_fix: 1,
    }); // speed: NO DATA on the first poll
    expect(second!.metrics.speed).toBeCloseTo(13.889, 3);
    expect(second!.metrics.odometer).toBeUndefined(); // CAN ERROR
    expect(third!.metrics.speed).toBeUndefined(); // 41 0D without its data byte
    // (GGA 5222.26040,N 00454.05330,E: 52° 22.2604′ = 52.371007°, 4° 54.0533′ = 4.900888°; 10 satellites)
    expect(first!.loc).toMatchObject({ alt: 2.3, hdop: 0.86, sats: 10 });
    expect(first!.loc!.lat).toBeCloseTo(52.371007, 6);
    expect(first!.loc!.lon).toBeCloseTo(4.900888, 6);
    // and every refused answer was counted under its reason
    expect(reasons()).toContain('no_data');
    expect(reasons()).toContain('bus_error');
    expect(reasons()).toContain('truncated');
    expect(reasons()).toContain('bad_checksum');
  });

  it('keeps trying and counts a timeout when the dongle does not answer', async () => {
    const silent = await tcpServer(() => undefined);
    const adapter = new Elm327Adapter({
      open: tcpStreamFactory({ host: '127.0.0.1', port: silent }),
      pollIntervalMs: 50,
      commandTimeoutMs: 100,
    });
    const { samples, reasons, sink, until } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());
    await until(() => reasons().filter((r) => r === 'timeout').length >= 2, 10_000, 'two timeouts');
    expect(samples).toEqual([]);
  });
});

describe('DSMR P1 adapter over TCP', () => {
  it('reads good telegrams and counts garbage, bad CRC, truncation and impossible units', async () => {
    // Given a P1 port streaming captures: good, noise then good, bad CRC, cut-off then good, impossible unit
    const stream = [
      'dsmr/dsmr5-iskra-am550.txt',
      'dsmr/garbage-then-good.txt',
      'dsmr/bad-crc.txt',
      'dsmr/truncated-then-good.txt',
      'dsmr/impossible-unit.txt',
      'dsmr/dsmr42-landis-e350.txt',
    ]
      .map((name) => fixture(name))
      .join('');
    const port = await tcpServer((socket) => {
      // a few bytes at a time, as a 115200 baud line delivers them
      const bytes = Buffer.from(stream, 'latin1');
      let at = 0;
      const timer = setInterval(() => {
        socket.write(bytes.subarray(at, at + 64));
        at += 64;
        if (at >= bytes.length) {
          clearInterval(timer);
        }
      }, 1);
      socket.on('close', () => clearInterval(timer));
    });
    const adapter = new P1Adapter({ open: tcpStreamFactory({ host: '127.0.0.1', port }) });
    const { samples, reasons, sink, until } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());

    // When the whole capture has arrived
    await until(() => samples.length + reasons().length >= 8, 10_000, 'every telegram');

    // Then the four good telegrams became readings and each bad one was counted under its reason
    expect(samples).toHaveLength(4);
    expect(reasons().sort()).toEqual(['bad_crc', 'garbage', 'impossible_unit', 'truncated']);
    for (const sample of samples) {
      expect(sample.metrics.energy_import_t1).toBeGreaterThan(0);
    }
  });
});

/**
 * A Modbus TCP gateway written from the Modbus Application Protocol spec (MBAP header + PDU), answering function
 * 04 from `answer(address, quantity)`: registers (possibly fewer than asked: a short read), or an exception code.
 */
function modbusGateway(
  answer: (address: number, quantity: number) => number[] | { exception: number },
): Promise<number> {
  return tcpServer((socket) => {
    let input = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      input = Buffer.concat([input, chunk]);
      while (input.length >= 12) {
        const length = input.readUInt16BE(4);
        const frame = input.subarray(0, 6 + length);
        input = input.subarray(6 + length);
        const [tid, unit, fc] = [frame.readUInt16BE(0), frame[6]!, frame[7]!];
        const reply = answer(frame.readUInt16BE(8), frame.readUInt16BE(10));
        const pdu = Array.isArray(reply)
          ? Buffer.concat([Buffer.from([fc, reply.length * 2]), Buffer.from(reply.flatMap((w) => [w >> 8, w & 0xff]))])
          : Buffer.from([fc | 0x80, reply.exception]);
        const mbap = Buffer.alloc(7);
        mbap.writeUInt16BE(tid, 0);
        mbap.writeUInt16BE(0, 2);
        mbap.writeUInt16BE(pdu.length + 1, 4);
        mbap[6] = unit;
        socket.write(Buffer.concat([mbap, pdu]));
      }
    });
  });
}

describe('Modbus TCP meter adapter (SDM630 through modbus-serial)', () => {
  it('decodes a meter, and counts NaN, negative registers, short reads and exceptions without stopping', async () => {
    // Given a gateway that serves, poll after poll, the register dumps of fixtures/modbus, then an exception
    const dumps = [
      'sdm630-exporting.json',
      'sdm630-nan-voltage.json',
      'sdm630-negative-energy.json',
      'sdm630-short-read.json',
    ].map((name) => fixtureJson<{ blocks: Record<string, string[]> }>(`modbus/${name}`).blocks);
    let poll = 0;
    const port = await modbusGateway((address, quantity) => {
      if (address === 0) {
        poll++;
      }
      const dump = dumps[poll - 1];
      if (dump === undefined) {
        return { exception: 0x02 }; // illegal data address
      }
      const words = (dump[`0x${address.toString(16).padStart(4, '0')}`] ?? []).map((w) => parseInt(w, 16));
      return words.slice(0, quantity);
    });
    const adapter = new ModbusMeterAdapter({ host: '127.0.0.1', port, unitId: 1, pollIntervalMs: 100 });
    const { samples, reasons, sink, until } = collectingSink();
    await adapter.start(sink);
    cleanup.push(() => adapter.stop());

    // When it has polled past every dump
    await until(() => reasons().length >= 4, 10_000, 'four refusals');

    // Then the good dump is a reading and each bad one was counted (the adapter kept polling through them)
    expect(samples).toHaveLength(1);
    expect(samples[0]!.metrics.voltage_l1).toBeGreaterThan(200);
    expect(reasons().slice(0, 4)).toEqual(['impossible_value', 'impossible_value', 'truncated', 'bus_error']);
  });
});
