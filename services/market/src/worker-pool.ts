import { Worker } from 'node:worker_threads';

type Reply<T> = ({ id: number } & T) | { id: number; error: string };

/**
 * A few worker threads answering requests: each request gets an id and goes to the next worker round robin;
 * each reply (`{ id, ...result }` or `{ id, error }`) settles its request's promise. Workers start as requests
 * arrive (at most `size`). `close()` asks each to end once its queue is empty (`{ close: true }`): terminating
 * a thread that is still loading its modules can bring the whole process down.
 */
export class WorkerPool<Request extends object, Result extends object> {
  private readonly workers: { worker: Worker; exited: Promise<void> }[] = [];
  private readonly waiting = new Map<number, { resolve: (value: Result) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(
    private readonly url: URL,
    readonly size: number,
    private readonly options: { readonly workerData?: unknown; readonly execArgv?: readonly string[] } = {},
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`a worker pool needs at least one worker, got ${size}`);
    }
  }

  run(request: Request): Promise<Result> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.next++;
    return new Promise<Result>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker(id % this.size).postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const { worker } of this.workers) {
      worker.postMessage({ close: true });
    }
    await Promise.all(this.workers.map((entry) => entry.exited));
    this.failure ??= new Error('the worker pool is closed');
  }

  private worker(index: number): Worker {
    let entry = this.workers[index];
    if (entry === undefined) {
      const worker = new Worker(this.url, {
        workerData: this.options.workerData,
        execArgv: [...(this.options.execArgv ?? [])],
      });
      worker.on('message', (reply: Reply<Result>) => this.settle(reply));
      worker.on('error', (error) => this.fail(error));
      const exited = new Promise<void>((resolve) =>
        worker.once('exit', (code) => {
          if (code !== 0 || !this.closing) {
            this.fail(new Error(`a worker thread exited with code ${code}`));
          }
          resolve();
        }),
      );
      entry = { worker, exited };
      this.workers[index] = entry;
    }
    return entry.worker;
  }

  private settle(reply: Reply<Result>): void {
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if ('error' in reply) {
      waiter?.reject(new Error(reply.error));
    } else {
      const { id: _id, ...result } = reply;
      waiter?.resolve(result as unknown as Result);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) {
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
