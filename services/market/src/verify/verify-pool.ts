import { NodeCryptoVerifier } from '@groundtruth/protocol';
import { workerModuleUrl } from '../worker-support.js';
import { WorkerPool } from '../worker-pool.js';
import { BlockChecker, type BlockCheckerInit, type BlockVerdict, type RawRow } from './block-checker.js';

/** Checks blocks of rows: in worker threads, or in this thread when no workers are asked for. */
export interface RowChecker {
  check(rows: RawRow[]): Promise<BlockVerdict>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** worker threads (0: check in this thread) */
  readonly workers: number;
  /**
   * Node options of the workers. The sources (`.ts`, under vitest) need a loader for TypeScript, e.g.
   * `['--conditions=@groundtruth/source', '--import', '<a module registering TS hooks>']`.
   */
  readonly execArgv?: readonly string[];
}

class InProcessChecker implements RowChecker {
  private readonly checker: BlockChecker;
  constructor(init: BlockCheckerInit) {
    this.checker = new BlockChecker(init, new NodeCryptoVerifier());
  }
  async check(rows: RawRow[]): Promise<BlockVerdict> {
    return this.checker.check(rows);
  }
  async close(): Promise<void> {}
}

/** BlockChecker in worker threads. */
class CheckPool implements RowChecker {
  private readonly pool: WorkerPool<{ rows: RawRow[] }, BlockVerdict>;
  constructor(init: BlockCheckerInit, options: WorkerOptions) {
    this.pool = new WorkerPool(workerModuleUrl('verify-worker', import.meta.url), options.workers, {
      workerData: init,
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    });
  }
  check(rows: RawRow[]): Promise<BlockVerdict> {
    return this.pool.run({ rows });
  }
  close(): Promise<void> {
    return this.pool.close();
  }
}

export function createRowChecker(init: BlockCheckerInit, options: WorkerOptions): RowChecker {
  return options.workers > 0 ? new CheckPool(init, options) : new InProcessChecker(init);
}
