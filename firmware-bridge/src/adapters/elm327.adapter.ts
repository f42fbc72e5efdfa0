import type { HardwareKind, Location } from '@groundtruth/protocol';
import { RejectCounters, type AdapterSink, type FrameRejectReason, type HardwareAdapter } from './adapter.js';
import type { ByteStreamFactory } from './byte-stream.js';
import { ElmLink } from './elm327.link.js';
import {
  decodeBitmap,
  decodeVehiclePid,
  ENGINE_ECUS,
  parseMode01Reply,
  pickEngineFrame,
  replyLines,
  VEHICLE_PID_LIST,
  type ObdFrame,
  type VehiclePid,
} from './elm327.parser.js';
import type { GnssReceiver } from './gnss.adapter.js';
import { roundTo } from './units.js';

export interface Elm327AdapterOptions {
  /** the ELM327: `serialStreamFactory({ path, baudRate: 38400 })` or `tcpStreamFactory({ host, port: 35000 })` */
  readonly open: ByteStreamFactory;
  /** a GNSS receiver whose latest fix is merged into each sample (started and stopped with this adapter) */
  readonly gnss?: GnssReceiver;
  /** wall-clock time between the starts of two poll cycles (ms, default 5000) */
  readonly pollIntervalMs?: number;
  readonly commandTimeoutMs?: number;
  /** the first OBD request after ATSP0 makes the ELM search for the protocol: allow longer (default 10 s) */
  readonly searchTimeoutMs?: number;
  /** ATH1 (default) lets the adapter pick the engine ECU (7E8) when several ECUs answer */
  readonly headers?: boolean;
  /** ATS1 keeps spaces between bytes; default off (ATS0) halves the bytes on slow links */
  readonly spaces?: boolean;
  /** ATSP<protocol>: '0' automatic (default), '6' ISO 15765-4 CAN 11/500... */
  readonly protocol?: string;
  /** a fix older than this (bridge clock, ms) is not merged (default 2 poll intervals) */
  readonly maxFixAgeMs?: number;
  /** restrict polling to these PIDs (default: all of 04 05 0C 0D 2F A6 the car supports) */
  readonly pids?: readonly VehiclePid[];
  readonly now?: () => number;
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const DECIMALS: Record<string, number> = {
  speed: 3,
  rpm: 2,
  coolant_temperature: 0,
  fuel_level: 2,
  engine_load: 2,
  odometer: 0,
};

/**
 * A vehicle through an ELM327 OBD-II interface: AT initialisation, supported-PID discovery, Mode 01 polling,
 * plus the latest GNSS fix. On a timeout or a closed link it reconnects and re-initialises on the next cycle.
 */
export class Elm327Adapter implements HardwareAdapter {
  readonly kind: HardwareKind = 'vehicle';
  readonly counters = new RejectCounters();
  private link: ElmLink | undefined;
  private pollPids: VehiclePid[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private sink: AdapterSink | undefined;
  private stopped = true;

  constructor(private readonly options: Elm327AdapterOptions) {}

  /** PIDs found supported at the last initialisation. */
  get supported(): readonly VehiclePid[] {
    return this.pollPids;
  }

  async start(sink: AdapterSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    await this.options.gnss?.start({
      sample: () => undefined,
      reject: (reason, detail) => sink.reject(reason, detail),
    });
    await this.connect(); // failures are counted and retried on the next cycle
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const link = this.link;
    this.link = undefined;
    await link?.close();
    await this.running;
    await this.options.gnss?.stop();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.cycle().finally(() => {
        this.running = undefined;
        this.schedule(Math.max(0, (this.options.pollIntervalMs ?? 5000) - (Date.now() - started)));
      });
    }, delayMs);
  }

  private reject(reason: FrameRejectReason, detail: string): void {
    if (!this.stopped) {
      this.counters.add(reason);
      this.sink?.reject(reason, detail);
    }
  }

  private async drop(reason: FrameRejectReason, detail: string): Promise<false> {
    this.reject(reason, detail);
    const link = this.link;
    this.link = undefined;
    await link?.close();
    return false;
  }

  /** Opens the stream and runs the AT initialisation and PID discovery. */
  private async connect(): Promise<boolean> {
    let link: ElmLink;
    try {
      link = new ElmLink(await this.options.open());
    } catch (error) {
      this.reject('timeout', `cannot open the ELM327 link: ${(error as Error).message}`);
      return false;
    }
    this.link = link;
    const timeout = this.options.commandTimeoutMs ?? 2000;
    const reset = await link.command('ATZ', Math.max(timeout, 3000));
    if (!reset.ok) {
      return this.drop(reset.error.reason, `ATZ: ${reset.error.detail}`);
    }
    if (!/ELM327/i.test(reset.value)) {
      return this.drop('garbage', `ATZ answered ${JSON.stringify(reset.value)}, not an ELM327 banner`);
    }
    const headers = this.options.headers ?? true;
    const setup = [
      'ATE0',
      'ATL0',
      this.options.spaces ? 'ATS1' : 'ATS0',
      headers ? 'ATH1' : 'ATH0',
      `ATSP${this.options.protocol ?? '0'}`,
    ];
    for (const command of setup) {
      const reply = await link.command(command, timeout);
      if (!reply.ok) {
        return this.drop(reply.error.reason, `${command}: ${reply.error.detail}`);
      }
      if (!replyLines(reply.value, command).includes('OK')) {
        return this.drop('garbage', `${command} answered ${JSON.stringify(reply.value)}`);
      }
    }
    const supported = new Set<number>();
    for (let base = 0; base <= 0xa0; base += 0x20) {
      if (base > 0 && !supported.has(base)) {
        break;
      }
      const frames = await this.query(base, base === 0 ? (this.options.searchTimeoutMs ?? 10_000) : timeout);
      if (!frames) {
        if (!this.link) {
          return false; // timed out: already counted and dropped
        }
        if (base === 0) {
          return this.drop('bus_error', 'no usable answer to 0100 (ignition off?)');
        }
        break; // a later bitmap page missing: poll what the earlier pages declared
      }
      for (const frame of engineFrames(frames)) {
        const pids = decodeBitmap(base, frame);
        if (pids.ok) {
          pids.value.forEach((pid) => supported.add(pid));
        } else {
          this.reject(pids.error.reason, pids.error.detail);
        }
      }
    }
    const wanted = this.options.pids ?? VEHICLE_PID_LIST;
    this.pollPids = wanted.filter((pid) => supported.has(pid));
    if (this.pollPids.length === 0) {
      return this.drop('unsupported', 'the vehicle supports none of PIDs 04 05 0C 0D 2F A6');
    }
    return true;
  }

  /** Sends `01 <pid>`; returns the answering frames, or undefined after counting why not. */
  private async query(pid: number, timeoutMs: number): Promise<ObdFrame[] | undefined> {
    const command = `01${hex2(pid)}`;
    const reply = await this.link?.command(command, timeoutMs);
    if (!reply) {
      return undefined;
    }
    if (!reply.ok) {
      await this.drop(reply.error.reason, `${command}: ${reply.error.detail}`);
      return undefined;
    }
    const parsed = parseMode01Reply(reply.value, pid, this.options.headers ?? true, command);
    if (!parsed.ok) {
      this.reject(parsed.error.reason, `${command}: ${parsed.error.detail}`);
      return undefined;
    }
    return parsed.value;
  }

  private async cycle(): Promise<void> {
    if (!this.link && !(await this.connect())) {
      return;
    }
    const now = this.options.now ?? Date.now;
    const ts = now();
    const metrics: Record<string, number> = {};
    for (const pid of this.pollPids) {
      const frames = await this.query(pid, this.options.commandTimeoutMs ?? 2000);
      const frame = frames && pickEngineFrame(frames);
      if (frame) {
        const decoded = decodeVehiclePid(pid, frame);
        if (decoded.ok) {
          metrics[decoded.value.metric] = roundTo(decoded.value.value, DECIMALS[decoded.value.metric] ?? 3);
        } else {
          this.reject(decoded.error.reason, `01${hex2(pid)}: ${decoded.error.detail}`);
        }
      }
      if (!this.link) {
        break; // timed out: the link is reset, the rest of the cycle would only time out too
      }
    }
    if (Object.keys(metrics).length === 0 || this.stopped) {
      return;
    }
    const maxAge = this.options.maxFixAgeMs ?? 2 * (this.options.pollIntervalMs ?? 5000);
    const fix = this.options.gnss?.latest(now(), maxAge);
    let loc: Location | undefined;
    if (fix) {
      metrics.gnss_fix = fix.quality;
      loc = fix.loc;
    }
    this.sink?.sample(loc ? { ts, metrics, loc } : { ts, metrics });
  }
}

/** With headers on, the engine ECU's answer alone; otherwise every answer (their union is what is supported). */
function engineFrames(frames: readonly ObdFrame[]): readonly ObdFrame[] {
  const engine = frames.filter((frame) => frame.ecu !== undefined && ENGINE_ECUS.includes(frame.ecu));
  return engine.length > 0 ? engine : frames;
}
