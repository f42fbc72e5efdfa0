import type { HardwareKind, Location } from '@groundtruth/protocol';
import { RejectCounters, type AdapterSink, type FrameRejectReason, type HardwareAdapter } from './adapter.js';
import { LineSplitter, type ByteStreamFactory } from './byte-stream.js';
import { parseNmeaSentence, type RmcSentence } from './nmea.parser.js';
import { StreamSupervisor } from './stream-supervisor.js';

/** A position fix assembled from a GGA (and the RMC of the same epoch, for date and speed). */
export interface GnssFix {
  /** UTC time of the fix, ms */
  readonly ts: number;
  /** bridge clock when it arrived, ms */
  readonly receivedAt: number;
  /** GGA fix quality (0 = no fix; then `loc` is absent) */
  readonly quality: number;
  readonly loc?: Location;
  readonly speedMs?: number;
  readonly courseDeg?: number;
}

export interface GnssReceiverOptions {
  readonly open: ByteStreamFactory;
  readonly now?: () => number;
  /** emit a sample per GGA (standalone tracker); off when a vehicle adapter merges the fixes */
  readonly emitSamples?: boolean;
  readonly retryMs?: number;
}

const DAY_MS = 86_400_000;

/** A GNSS receiver speaking NMEA 0183 over a serial port or TCP. Keeps the latest fix. */
export class GnssReceiver implements HardwareAdapter {
  readonly kind: HardwareKind = 'vehicle';
  readonly counters = new RejectCounters();
  private latestFix: GnssFix | undefined;
  private lastRmc: RmcSentence | undefined;
  private supervisor: StreamSupervisor | undefined;

  constructor(private readonly options: GnssReceiverOptions) {}

  /** The latest fix if it arrived within `maxAgeMs` of `now` (bridge clock). */
  latest(now: number, maxAgeMs: number): GnssFix | undefined {
    const fix = this.latestFix;
    return fix && now - fix.receivedAt <= maxAgeMs ? fix : undefined;
  }

  async start(sink: AdapterSink): Promise<void> {
    const now = this.options.now ?? Date.now;
    this.supervisor = new StreamSupervisor(
      this.options.open,
      (stream) => {
        const lines = new LineSplitter(256);
        stream.onData((chunk) => {
          const { lines: complete, overlong } = lines.push(chunk);
          for (let i = 0; i < overlong; i++) {
            this.reject(sink, 'garbage', 'NMEA line longer than 256 characters');
          }
          for (const line of complete) {
            this.line(line, now(), sink);
          }
        });
      },
      { retryMs: this.options.retryMs },
    );
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = undefined;
  }

  private reject(sink: AdapterSink, reason: FrameRejectReason, detail: string): void {
    this.counters.add(reason);
    sink.reject(reason, detail);
  }

  private line(line: string, now: number, sink: AdapterSink): void {
    const parsed = parseNmeaSentence(line);
    if (!parsed.ok) {
      return this.reject(sink, parsed.error.reason, parsed.error.detail);
    }
    const sentence = parsed.value;
    if (sentence.type === 'RMC') {
      this.lastRmc = sentence;
      return;
    }
    if (sentence.type !== 'GGA') {
      return; // GSV, GSA, VTG...: valid sentences this bridge does not need
    }
    const rmc = this.lastRmc?.timeOfDayMs === sentence.timeOfDayMs ? this.lastRmc : undefined;
    const reference = rmc?.dateMs !== undefined && rmc.timeOfDayMs !== undefined ? rmc.dateMs + rmc.timeOfDayMs : now;
    const ts = sentence.timeOfDayMs === undefined ? now : nearestDay(reference, sentence.timeOfDayMs);
    const hasFix = sentence.quality > 0 && sentence.lat !== undefined && sentence.lon !== undefined;
    const loc: Location | undefined = hasFix
      ? { lat: sentence.lat!, lon: sentence.lon!, alt: sentence.alt, hdop: sentence.hdop, sats: sentence.sats }
      : undefined;
    const fix: GnssFix = {
      ts,
      receivedAt: now,
      quality: hasFix ? sentence.quality : 0,
      loc: loc && withoutUndefined(loc),
      speedMs: rmc?.valid ? rmc.speedMs : undefined,
      courseDeg: rmc?.valid ? rmc.courseDeg : undefined,
    };
    this.latestFix = fix;
    if (this.options.emitSamples ?? true) {
      sink.sample(
        fix.loc ? { ts, loc: fix.loc, metrics: { gnss_fix: fix.quality } } : { ts, metrics: { gnss_fix: 0 } },
      );
    }
  }
}

/** The instant with this time of day closest to `reference` (handles fixes around UTC midnight). */
function nearestDay(reference: number, timeOfDayMs: number): number {
  const candidate = Math.floor(reference / DAY_MS) * DAY_MS + timeOfDayMs;
  if (candidate - reference > DAY_MS / 2) {
    return candidate - DAY_MS;
  }
  return reference - candidate > DAY_MS / 2 ? candidate + DAY_MS : candidate;
}

function withoutUndefined(loc: Location): Location {
  return Object.fromEntries(Object.entries(loc).filter(([, v]) => v !== undefined)) as unknown as Location;
}
