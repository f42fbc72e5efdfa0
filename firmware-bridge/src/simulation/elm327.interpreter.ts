/**
 * The ELM327's side of the dialogue (ELM327 data sheet v1.4b–2.x): AT commands, echo, linefeeds, spaces,
 * headers, protocol search (`SEARCHING...`), Mode 01 requests answered by one or several ECUs, `NO DATA`
 * for unsupported PIDs, `?` for what it does not understand, `UNABLE TO CONNECT` with the ignition off.
 * Pure state machine: a command line in, the exact characters the chip would print out (echo through `>`).
 */

/** An ECU on the CAN bus: its 11-bit response id and the Mode 01 PIDs it answers. */
export interface SimulatedEcu {
  /** response id, e.g. `7E8` (engine), `7E9` (transmission) */
  readonly id: string;
  /** data bytes of a Mode 01 PID (after `41 <pid>`), or undefined when not supported */
  mode01(pid: number): readonly number[] | undefined;
}

export interface SimulatedBus {
  ignitionOn(): boolean;
  /** answering ECUs in the order their frames arrive */
  ecus(pid: number): readonly SimulatedEcu[];
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** The 4-byte supported-PIDs bitmap for PIDs base+1..base+0x20. */
export function bitmapFor(base: number, supported: readonly number[]): number[] {
  const bytes = [0, 0, 0, 0];
  for (const pid of supported) {
    const bit = pid - base - 1;
    if (bit >= 0 && bit < 32) {
      bytes[bit >> 3]! |= 0x80 >> (bit & 7);
    }
  }
  return bytes;
}

/** Adds the "next page supported" PIDs (0x20, 0x40, ...) a bitmap needs to reach the highest PID. */
export function withPageBits(pids: readonly number[]): number[] {
  const highest = Math.max(...pids);
  const pages: number[] = [];
  for (let page = 0x20; page < highest; page += 0x20) {
    pages.push(page);
  }
  return [...new Set([...pids, ...pages])].sort((a, b) => a - b);
}

export class Elm327Interpreter {
  private echo = true;
  private linefeeds = false;
  private spaces = true;
  private headers = false;
  private protocol = '0';
  private connected = false;
  private last = '';

  constructor(
    private readonly bus: SimulatedBus,
    private readonly version = 'ELM327 v1.5',
  ) {}

  /** Handles one command line (without its CR); returns everything the chip prints, ending with `>`. */
  handle(raw: string): string {
    const command = raw.replace(/\s/g, '').toUpperCase() || this.last;
    this.last = command;
    const echoed = this.echo ? `${raw}\r` : '';
    const nl = this.linefeeds ? '\r\n' : '\r';
    if (command.startsWith('AT')) {
      const lines = this.at(command.slice(2));
      if (lines === 'reset') {
        return `${echoed}${nl}${nl}${this.version}${nl}${nl}>`;
      }
      return `${echoed}${lines.map((line) => line + nl).join('')}${nl}>`;
    }
    return `${echoed}${this.obd(command)
      .map((line) => line + nl)
      .join('')}${nl}>`;
  }

  private reset(): void {
    this.echo = true;
    this.linefeeds = false;
    this.spaces = true;
    this.headers = false;
    this.protocol = '0';
    this.connected = false;
  }

  private at(cmd: string): string[] | 'reset' {
    if (cmd === 'Z' || cmd === 'WS') {
      this.reset();
      return 'reset';
    }
    const flag = /^(E|L|S|H)([01])$/.exec(cmd);
    if (flag) {
      const on = flag[2] === '1';
      if (flag[1] === 'E') {
        this.echo = on;
      } else if (flag[1] === 'L') {
        this.linefeeds = on;
      } else if (flag[1] === 'S') {
        this.spaces = on;
      } else {
        this.headers = on;
      }
      return ['OK'];
    }
    const protocol = /^(?:SP|TP)A?([0-9A-C])$/.exec(cmd);
    if (protocol) {
      this.protocol = protocol[1]!;
      this.connected = false;
      return ['OK'];
    }
    switch (cmd) {
      case 'I':
        return [this.version];
      case '@1':
        return ['OBDII to RS232 Interpreter'];
      case 'DPN':
        return [this.connected ? 'A6' : this.protocol];
      case 'DP':
        return [this.connected ? 'AUTO, ISO 15765-4 (CAN 11/500)' : 'AUTO'];
      case 'RV':
        return [this.bus.ignitionOn() ? '14.2V' : '12.4V'];
      case 'D':
      case 'AL':
      case 'M0':
      case 'CAF1':
      case 'AT1':
      case 'AT2':
      case 'ST64':
        return ['OK'];
      default:
        return ['?'];
    }
  }

  private obd(cmd: string): string[] {
    if (!/^[0-9A-F]+$/.test(cmd) || cmd.length % 2 !== 0 || cmd.length < 2) {
      return ['?'];
    }
    const prefix: string[] = [];
    if (!this.connected) {
      if (this.protocol === '0') {
        prefix.push('SEARCHING...');
      }
      if (!this.bus.ignitionOn()) {
        return [...prefix, this.spaces ? 'UNABLE TO CONNECT' : 'UNABLETOCONNECT'];
      }
      this.connected = true;
    }
    const mode = parseInt(cmd.slice(0, 2), 16);
    const pid = cmd.length >= 4 ? parseInt(cmd.slice(2, 4), 16) : -1;
    const lines: string[] = [];
    if (mode === 0x01 && pid >= 0) {
      for (const ecu of this.bus.ecus(pid)) {
        const data = ecu.mode01(pid);
        if (data) {
          lines.push(this.format(ecu.id, [0x41, pid, ...data]));
        }
      }
    }
    return [...prefix, ...(lines.length > 0 ? lines : [this.spaces ? 'NO DATA' : 'NODATA'])];
  }

  private format(ecu: string, payload: readonly number[]): string {
    const bytes = (this.headers ? [payload.length, ...payload] : payload).map(hex2);
    const body = this.spaces ? `${bytes.join(' ')} ` : bytes.join('');
    return this.headers ? `${ecu}${this.spaces ? ' ' : ''}${body}` : body;
  }
}
