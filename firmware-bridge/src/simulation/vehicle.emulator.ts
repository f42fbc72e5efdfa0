/**
 * An emulated car with an ELM327 dongle and a GNSS receiver, driven by a drive-cycle model through the
 * signal faults. It speaks the real protocols over any ByteStream: the ELM327 AT/Mode 01 dialogue (one
 * interpreter per connection, like a dongle) and NMEA GGA + RMC every `intervalMs` of simulated time.
 * During a dropout the dongle stays silent and the receiver sends nothing.
 */
import type { ByteStream } from '../adapters/byte-stream.js';
import type { SimClock } from './clock.js';
import type { DriveCycleModel } from './drive-cycle.model.js';
import {
  bitmapFor as bitmap,
  Elm327Interpreter,
  withPageBits,
  type SimulatedBus,
  type SimulatedEcu,
} from './elm327.interpreter.js';
import { ggaSentence, rmcSentence, type FixToEncode } from './nmea.encoder.js';
import type { SignalFaultInjector } from './signal-faults.js';

export interface VehicleEmulatorOptions {
  readonly model: DriveCycleModel;
  readonly faults: SignalFaultInjector;
  readonly clock: SimClock;
  /** GNSS output period, simulated ms (default 1000) */
  readonly gnssIntervalMs?: number;
  /** a transmission ECU (7E9) also answers 0100 and 010D, before the engine (default true) */
  readonly multiEcu?: boolean;
  /** the engine ECU supports PID A6 (odometer; many cars before 2019 do not). Default true */
  readonly odometerPid?: boolean;
}

const clampByte = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));

export class VehicleEmulator implements SimulatedBus {
  private readonly engine: SimulatedEcu;
  private readonly transmission: SimulatedEcu;
  private readonly gnssStreams = new Set<ByteStream>();
  private cancelGnss: (() => void) | undefined;
  private cache: { ts: number; metrics: Record<string, number> } | undefined;

  constructor(private readonly options: VehicleEmulatorOptions) {
    const enginePids = withPageBits([
      0x04,
      0x05,
      0x0c,
      0x0d,
      0x0f,
      0x11,
      0x1c,
      0x2f,
      ...(options.odometerPid === false ? [] : [0xa6]),
    ]);
    this.engine = { id: '7E8', mode01: (pid) => this.engineAnswer(pid, enginePids) };
    this.transmission = {
      id: '7E9',
      mode01: (pid) =>
        pid === 0x00 ? bitmap(0x00, [0x0d]) : pid === 0x0d ? [clampByte(this.measured().speed! * 3.6)] : undefined,
    };
  }

  ignitionOn(): boolean {
    return true;
  }

  ecus(_pid: number): readonly SimulatedEcu[] {
    return this.options.multiEcu === false ? [this.engine] : [this.transmission, this.engine];
  }

  /** The OBD values the car's sensors report now (faults applied), cached per simulated millisecond. */
  measured(): Record<string, number> {
    const ts = this.options.clock.now();
    if (this.cache?.ts !== ts) {
      const s = this.options.model.advanceTo(ts);
      const truth = {
        speed: s.speed,
        rpm: s.rpm,
        coolant_temperature: s.coolant_temperature,
        fuel_level: s.fuel_level,
        engine_load: s.engine_load,
        odometer: s.odometer,
      };
      this.cache = { ts, metrics: this.options.faults.metrics(ts, truth) };
    }
    return this.cache.metrics;
  }

  private engineAnswer(pid: number, supported: readonly number[]): readonly number[] | undefined {
    if (pid % 0x20 === 0) {
      return pid <= Math.max(...supported) ? bitmap(pid, supported) : undefined;
    }
    if (!supported.includes(pid)) {
      return undefined;
    }
    const m = this.measured();
    switch (pid) {
      case 0x04:
        return [clampByte((m.engine_load! * 255) / 100)];
      case 0x05:
        return [clampByte(m.coolant_temperature! + 40)];
      case 0x0c: {
        const quarter = Math.max(0, Math.min(65535, Math.round(m.rpm! * 4)));
        return [quarter >> 8, quarter & 0xff];
      }
      case 0x0d:
        return [clampByte(m.speed! * 3.6)];
      case 0x0f:
        return [clampByte(25 + 40)];
      case 0x11:
        return [clampByte((m.engine_load! * 255) / 100 / 1.5)];
      case 0x1c:
        return [0x06]; // EOBD (Europe)
      case 0x2f:
        return [clampByte((m.fuel_level! * 255) / 100)];
      case 0xa6: {
        const tenths = Math.max(0, Math.floor(m.odometer! / 100));
        return [(tenths >>> 24) & 0xff, (tenths >>> 16) & 0xff, (tenths >>> 8) & 0xff, tenths & 0xff];
      }
      default:
        return undefined;
    }
  }

  /** Serves the ELM327 dialogue on a stream (a TCP connection to the "dongle", or a pipe end). */
  attachObd(stream: ByteStream): void {
    const elm = new Elm327Interpreter(this);
    let pending = '';
    stream.onData((chunk) => {
      pending += chunk.toString('latin1').replace(/\n/g, '');
      let cr: number;
      while ((cr = pending.indexOf('\r')) >= 0) {
        const line = pending.slice(0, cr);
        pending = pending.slice(cr + 1);
        if (!this.options.faults.isDropped(this.options.clock.now())) {
          stream.write(elm.handle(line));
        }
      }
      if (pending.length > 256) {
        pending = ''; // the ELM327's input buffer is small; it discards overlong input
      }
    });
  }

  /** Streams NMEA sentences to this stream from now on. */
  attachGnss(stream: ByteStream): void {
    this.gnssStreams.add(stream);
    stream.onClose(() => this.gnssStreams.delete(stream));
    this.cancelGnss ??= this.options.clock.every(this.options.gnssIntervalMs ?? 1000, () => this.emitFix());
  }

  /** The fix the receiver reports now (faults applied). */
  currentFix(): FixToEncode {
    const ts = this.options.clock.now();
    const s = this.options.model.advanceTo(ts);
    const reported = this.options.faults.location(ts, s);
    return {
      ts,
      lat: reported.lat,
      lon: reported.lon,
      alt: s.alt,
      sats: s.sats,
      hdop: s.hdop,
      quality: 1,
      speedMs: reported.speedMs ?? s.speed,
      courseDeg: reported.courseDeg ?? s.heading,
    };
  }

  private emitFix(): void {
    if (this.gnssStreams.size === 0 || this.options.faults.isDropped(this.options.clock.now())) {
      return;
    }
    const fix = this.currentFix();
    const text = `${ggaSentence(fix)}\r\n${rmcSentence(fix)}\r\n`;
    for (const stream of this.gnssStreams) {
      stream.write(text);
    }
  }

  stop(): void {
    this.cancelGnss?.();
    this.cancelGnss = undefined;
    this.gnssStreams.clear();
  }
}
