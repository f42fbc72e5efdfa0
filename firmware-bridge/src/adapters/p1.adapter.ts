import type { HardwareKind } from '@groundtruth/protocol';
import { RejectCounters, type AdapterSink, type FrameRejectReason, type HardwareAdapter } from './adapter.js';
import type { ByteStreamFactory } from './byte-stream.js';
import { DsmrFramer } from './dsmr.framer.js';
import { parseDsmrTelegram } from './dsmr.parser.js';
import { StreamSupervisor } from './stream-supervisor.js';

export interface P1AdapterOptions {
  /**
   * The P1 port: `serialStreamFactory({ path, baudRate: 115200 })` for DSMR 5 (8N1), `{ baudRate: 9600,
   * dataBits: 7, parity: 'even' }` for DSMR 2.2/3, or a TCP P1 dongle (`tcpStreamFactory`).
   */
  readonly open: ByteStreamFactory;
  /** refuse telegrams without CRC (default true; DSMR < 4 meters need false) */
  readonly requireCrc?: boolean;
  readonly now?: () => number;
  readonly retryMs?: number;
}

/** A smart meter's P1 port: the meter pushes a telegram every second (DSMR 5) or ten seconds (DSMR 4). */
export class P1Adapter implements HardwareAdapter {
  readonly kind: HardwareKind = 'energy';
  readonly counters = new RejectCounters();
  private supervisor: StreamSupervisor | undefined;

  constructor(private readonly options: P1AdapterOptions) {}

  async start(sink: AdapterSink): Promise<void> {
    const reject = (reason: FrameRejectReason, detail: string) => {
      this.counters.add(reason);
      sink.reject(reason, detail);
    };
    this.supervisor = new StreamSupervisor(
      this.options.open,
      (stream) => {
        const framer = new DsmrFramer();
        stream.onData((chunk) => {
          for (const event of framer.push(chunk)) {
            if ('error' in event) {
              reject(event.error.reason, event.error.detail);
              continue;
            }
            const parsed = parseDsmrTelegram(event.telegram, {
              now: (this.options.now ?? Date.now)(),
              requireCrc: this.options.requireCrc,
            });
            if (parsed.ok) {
              sink.sample(parsed.value.sample);
            } else {
              reject(parsed.error.reason, parsed.error.detail);
            }
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
}
