/**
 * Pure parsing of ELM327 replies (ELM327 data sheet, v1.4b/v2.x) and SAE J1979 Mode 01 PIDs.
 *
 * A reply is everything the ELM sends between our command and the `>` prompt. It may hold the echo of the
 * command (ATE1), `SEARCHING...` while the protocol is detected, one line per answering ECU, or a message:
 * `NO DATA`, `UNABLE TO CONNECT`, `?`, `STOPPED`, `CAN ERROR`, `BUS INIT: ...ERROR`... With ATS0 the ELM also
 * drops the spaces from its messages (`NODATA`). With headers on (ATH1) each line starts with the sender:
 * 11-bit CAN `7E8 06 41 00 ...` (header, PCI length byte, data), 29-bit CAN `18 DA F1 10 06 41 00 ...`, or
 * the 3 header bytes of J1850/ISO 9141/KWP `48 6B 10 41 0C ... CS` (source address 3rd, checksum last).
 */
import { accept, refuse, type FrameResult } from './frame-result.js';

/** One answering ECU's payload: bytes from the response service id (0x41) onward. */
export interface ObdFrame {
  /** the sender: `7E8`, `18DAF110`, `10` (legacy source address), or undefined with headers off */
  readonly ecu?: string;
  readonly data: readonly number[];
}

const BUS_ERRORS = [
  'UNABLETOCONNECT',
  'CANERROR',
  'BUSERROR',
  'BUSBUSY',
  'FBERROR',
  'DATAERROR',
  '<DATAERROR',
  'BUFFERFULL',
  'LVRESET',
  'ACTALERT',
  'STOPPED',
  'ERR',
];

/** Lines of a reply, without echo, prompt, blanks and `SEARCHING...` / `BUS INIT: ...OK` progress lines. */
export function replyLines(raw: string, command?: string): string[] {
  const lines = raw
    .replace(/>/g, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const echo = command?.replace(/\s/g, '').toUpperCase();
  return lines.filter((line, index) => {
    const compact = line.replace(/\s/g, '').toUpperCase();
    if (index === 0 && echo !== undefined && compact === echo) {
      return false;
    }
    return !compact.startsWith('SEARCHING') && !/^BUSINIT:?\.*(OK)?$/.test(compact);
  });
}

/** Classifies a message line; undefined when the line is (probably) data. */
export function replyError(line: string): FrameResult<never> | undefined {
  const compact = line.replace(/\s/g, '').toUpperCase();
  if (compact === 'NODATA') {
    return refuse('no_data', 'NO DATA');
  }
  if (compact === '?') {
    return refuse('garbage', 'ELM327 did not understand the command (?)');
  }
  if (BUS_ERRORS.some((message) => compact.startsWith(message)) || /^BUSINIT:.*ERROR$/.test(compact)) {
    return refuse('bus_error', line.trim());
  }
  return undefined;
}

const HEX = /^[0-9A-F]+$/;

function bytesOf(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) {
    out.push(parseInt(hex.slice(i, i + 2), 16));
  }
  return out;
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * Parses one data line of a Mode 01 reply to `pid`. Recognises the header layout from the line itself: an
 * odd digit count means an 11-bit CAN id; otherwise the position of `41 <pid>` tells 29-bit CAN (after
 * 4 id bytes + PCI) from legacy (after 3 header bytes, with a trailing checksum).
 */
export function parseObdLine(line: string, pid: number, headers: boolean): FrameResult<ObdFrame> {
  const compact = line.replace(/\s/g, '').toUpperCase();
  if (!HEX.test(compact)) {
    return refuse('garbage', `not hex: "${line}"`);
  }
  const marker = `41${hex2(pid)}`;
  if (!headers) {
    if (compact.length % 2 !== 0 || !compact.startsWith(marker)) {
      return refuse('garbage', `expected ${marker}...: "${line}"`);
    }
    return accept({ data: bytesOf(compact) });
  }
  if (compact.length % 2 === 1) {
    const ecu = compact.slice(0, 3);
    const bytes = bytesOf(compact.slice(3));
    const length = (bytes[0] ?? 0) & 0x0f;
    if (bytes[1] !== 0x41 || bytes[2] !== pid) {
      return refuse('garbage', `expected ${marker} after CAN header: "${line}"`);
    }
    if (bytes.length - 1 < length) {
      return refuse('truncated', `PCI says ${length} bytes: "${line}"`);
    }
    return accept({ ecu, data: bytes.slice(1, 1 + length) });
  }
  const bytes = bytesOf(compact);
  if (bytes[5] === 0x41 && bytes[6] === pid) {
    const length = (bytes[4] ?? 0) & 0x0f;
    if (bytes.length - 5 < length) {
      return refuse('truncated', `PCI says ${length} bytes: "${line}"`);
    }
    return accept({ ecu: compact.slice(0, 8), data: bytes.slice(5, 5 + length) });
  }
  if (bytes[3] === 0x41 && bytes[4] === pid) {
    return accept({ ecu: hex2(bytes[2]!), data: bytes.slice(3, -1) });
  }
  return refuse('garbage', `no ${marker} in "${line}"`);
}

/** The engine ECU's address in each addressing scheme (SAE J1979: ECM answers first / from 7E8). */
export const ENGINE_ECUS: readonly string[] = ['7E8', '18DAF110', '10'];

/**
 * Parses a whole Mode 01 reply into one frame per answering ECU. Messages (`NO DATA`...) become errors; a
 * reply in which no line parses is an error of the first bad line.
 */
export function parseMode01Reply(
  raw: string,
  pid: number,
  headers: boolean,
  command?: string,
): FrameResult<ObdFrame[]> {
  const lines = replyLines(raw, command);
  if (lines.length === 0) {
    return refuse('no_data', 'empty reply');
  }
  const frames: ObdFrame[] = [];
  let firstError: FrameResult<never> | undefined;
  for (const line of lines) {
    const message = replyError(line);
    const parsed = message ?? parseObdLine(line, pid, headers);
    if (parsed.ok) {
      frames.push(parsed.value);
    } else {
      firstError ??= parsed;
    }
  }
  return frames.length > 0 ? accept(frames) : firstError!;
}

/** With headers: the engine ECU's frame if it answered, else the first; without: the first line. */
export function pickEngineFrame(frames: readonly ObdFrame[]): ObdFrame | undefined {
  return frames.find((frame) => frame.ecu !== undefined && ENGINE_ECUS.includes(frame.ecu)) ?? frames[0];
}

/** PIDs a `01 <base>` bitmap (4 bytes A..D) declares: bit 7 of A is base+1, bit 0 of D is base+0x20. */
export function supportedPids(base: number, bitmap: readonly number[]): number[] {
  const pids: number[] = [];
  for (let i = 0; i < 32; i++) {
    if (((bitmap[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) {
      pids.push(base + i + 1);
    }
  }
  return pids;
}

/** The Mode 01 PIDs the vehicle catalogue uses, their data lengths and their SI decoding. */
export const VEHICLE_PIDS = {
  0x04: { metric: 'engine_load', length: 1, decode: (b: readonly number[]) => (b[0]! * 100) / 255 },
  0x05: { metric: 'coolant_temperature', length: 1, decode: (b: readonly number[]) => b[0]! - 40 },
  0x0c: { metric: 'rpm', length: 2, decode: (b: readonly number[]) => (b[0]! * 256 + b[1]!) / 4 },
  0x0d: { metric: 'speed', length: 1, decode: (b: readonly number[]) => b[0]! / 3.6 },
  0x2f: { metric: 'fuel_level', length: 1, decode: (b: readonly number[]) => (b[0]! * 100) / 255 },
  0xa6: {
    metric: 'odometer',
    length: 4,
    // 0.1 km per count → metres
    decode: (b: readonly number[]) => (b[0]! * 2 ** 24 + b[1]! * 2 ** 16 + b[2]! * 2 ** 8 + b[3]!) * 100,
  },
} as const satisfies Record<number, { metric: string; length: number; decode: (b: readonly number[]) => number }>;

export type VehiclePid = keyof typeof VEHICLE_PIDS;
export const VEHICLE_PID_LIST = Object.keys(VEHICLE_PIDS).map(Number) as VehiclePid[];

/** Decodes a frame (`41 <pid> A B ...`) of a catalogue PID into its metric. */
export function decodeVehiclePid(pid: VehiclePid, frame: ObdFrame): FrameResult<{ metric: string; value: number }> {
  const spec = VEHICLE_PIDS[pid];
  const payload = frame.data.slice(2);
  if (payload.length < spec.length) {
    return refuse('truncated', `PID ${hex2(pid)} needs ${spec.length} bytes, got ${payload.length}`);
  }
  return accept({ metric: spec.metric, value: spec.decode(payload) });
}

/** Decodes a supported-PIDs reply (`41 <base> A B C D`). */
export function decodeBitmap(base: number, frame: ObdFrame): FrameResult<number[]> {
  const payload = frame.data.slice(2);
  return payload.length < 4
    ? refuse('truncated', `PID ${hex2(base)} bitmap needs 4 bytes, got ${payload.length}`)
    : accept(supportedPids(base, payload));
}
