import type { HardwareKind, Location } from '@groundtruth/protocol';

/** One observation read from the hardware, already converted to the protocol's SI metric catalogue. */
export interface SensorSample {
  /** when the hardware observed it, integer ms UTC (the bridge's clock when the frame carries no time) */
  readonly ts: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly loc?: Location;
}

/**
 * Why a frame was skipped. Counted per reason, never thrown: a malformed frame must not stop the adapter.
 * Stable strings (they appear in `gt-bridge status` and in metrics).
 */
export const FRAME_REJECT_REASONS = [
  'bad_checksum',
  'bad_crc',
  'truncated',
  'garbage',
  'impossible_unit',
  'impossible_value',
  'no_data',
  'unsupported',
  'timeout',
  'bad_request',
  /** the device reported a bus or link fault (ELM327 `UNABLE TO CONNECT`, `CAN ERROR`, a Modbus exception) */
  'bus_error',
  /** a push (Ecowitt / WU) from a station key (PASSKEY, ID/PASSWORD) no adapter is configured for */
  'unknown_station',
] as const;
export type FrameRejectReason = (typeof FRAME_REJECT_REASONS)[number];

export interface AdapterSink {
  /**
   * Hands a sample to the bridge. `false`: the bridge refused it (its queue cannot write to disk right now);
   * an adapter that can answer its device (an HTTP push) says so, so the device does not count it as delivered.
   */
  sample(sample: SensorSample): boolean | void;
  reject(reason: FrameRejectReason, detail: string): void;
}

/** A source of readings for one device: a weather station, a vehicle, an energy meter. */
export interface HardwareAdapter {
  readonly kind: HardwareKind;
  /** Starts reading; resolves once the adapter listens or is connected. */
  start(sink: AdapterSink): Promise<void>;
  /** Stops reading and releases ports and sockets. */
  stop(): Promise<void>;
}

/** Counts of skipped frames by reason, kept by every adapter. */
export class RejectCounters {
  private readonly counts = new Map<FrameRejectReason, number>();
  add(reason: FrameRejectReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }
  snapshot(): Partial<Record<FrameRejectReason, number>> {
    return Object.fromEntries(this.counts);
  }
}
