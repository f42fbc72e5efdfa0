import { describe, expect, it } from 'vitest';
import { Elm327Interpreter, withPageBits, type SimulatedBus } from './elm327.interpreter.js';

function bus(ignition = true): SimulatedBus {
  const engine = {
    id: '7E8',
    mode01: (pid: number) =>
      (({ 0x00: [0x18, 0x18, 0x00, 0x01], 0x0c: [0x1a, 0xf8], 0x0d: [0x32] }) as Record<number, number[]>)[pid],
  };
  const tcm = { id: '7E9', mode01: (pid: number) => (pid === 0x0d ? [0x32] : undefined) };
  return { ignitionOn: () => ignition, ecus: () => [tcm, engine] };
}

describe('Elm327Interpreter', () => {
  it('answers a typical initialisation byte for byte', () => {
    const elm = new Elm327Interpreter(bus());
    expect(elm.handle('ATZ')).toBe('ATZ\r\r\rELM327 v1.5\r\r>');
    expect(elm.handle('ATE0')).toBe('ATE0\rOK\r\r>');
    expect(elm.handle('ATL0')).toBe('OK\r\r>');
    expect(elm.handle('AT S0')).toBe('OK\r\r>');
    expect(elm.handle('ath1')).toBe('OK\r\r>');
    expect(elm.handle('ATSP0')).toBe('OK\r\r>');
    expect(elm.handle('0100')).toBe('SEARCHING...\r7E806410018180001\r\r>');
    expect(elm.handle('ATDPN')).toBe('A6\r\r>');
  });

  it('prints one line per answering ECU, with or without headers and spaces', () => {
    const elm = new Elm327Interpreter(bus());
    elm.handle('ATE0');
    expect(elm.handle('010D')).toBe('SEARCHING...\r41 0D 32 \r41 0D 32 \r\r>');
    elm.handle('ATH1');
    expect(elm.handle('010D')).toBe('7E9 03 41 0D 32 \r7E8 03 41 0D 32 \r\r>');
    elm.handle('ATS0');
    expect(elm.handle('010C')).toBe('7E804410C1AF8\r\r>');
    elm.handle('ATL1');
    expect(elm.handle('010C')).toBe('7E804410C1AF8\r\n\r\n>');
  });

  it('says NO DATA, ?, and UNABLE TO CONNECT where the chip does', () => {
    const elm = new Elm327Interpreter(bus());
    elm.handle('ATE0');
    expect(elm.handle('0110')).toBe('SEARCHING...\rNO DATA\r\r>');
    expect(elm.handle('ATXYZ')).toBe('?\r\r>');
    expect(elm.handle('01G0')).toBe('?\r\r>');
    elm.handle('ATS0');
    expect(elm.handle('0110')).toBe('NODATA\r\r>');
    const off = new Elm327Interpreter(bus(false));
    off.handle('ATE0');
    expect(off.handle('0100')).toBe('SEARCHING...\rUNABLE TO CONNECT\r\r>');
  });

  it('repeats the last command on an empty line', () => {
    const elm = new Elm327Interpreter(bus());
    elm.handle('ATE0');
    elm.handle('010C');
    expect(elm.handle('')).toBe('41 0C 1A F8 \r\r>');
  });

  it('adds the page PIDs a bitmap needs to reach A6', () => {
    expect(withPageBits([0x0c, 0xa6])).toEqual([0x0c, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xa6]);
  });
});
