import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The internal queue of pglite-socket 0.2.x that this module corrects (its shape, as far as used here). */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: Error): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  db: PGlite;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

/** Extended-query messages: Parse, Bind, Describe, Execute, Close, Flush. A group ends with Sync. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);

/**
 * pglite-socket 0.2.17 multiplexes every connection onto PGlite's single backend one wire message at a time, and
 * keeps a connection's messages together only inside an explicit transaction. An extended-protocol query
 * (Parse/Bind/Execute/Sync, what `pg` sends for every parameterised query) outside a transaction can therefore be
 * cut in two by another connection's messages: its unnamed statement is replaced, and a client gets "unnamed
 * prepared statement does not exist", another query's rows, or a hang. This replaces the queue's scheduler so that
 * once a connection starts an extended-query group, only that connection's messages run until its Sync (and, as
 * before, until its transaction ends). A failed message no longer wedges the queue either.
 */
export function keepMessageGroupsTogether(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (typeof queue?.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket changed: its query queue is not the one keepMessageGroupsTogether corrects');
  }
  let groupOwner: number | undefined;
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing) {
      return;
    }
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = groupOwner ?? (this.db.isInTransaction() ? (this.lastHandlerId ?? undefined) : undefined);
        const index = owner === undefined ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        if (index === -1) {
          break; // the owner's next message has not arrived yet: it restarts the queue when it does
        }
        const [query] = this.queue.splice(index, 1) as [QueuedMessage];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(query.message, {
              onRawData: (data) => {
                bytes += data.length;
                query.onData(data);
              },
            }),
          );
        } catch (error) {
          if (groupOwner === query.handlerId) {
            groupOwner = undefined;
          }
          query.reject(error as Error);
          continue;
        }
        this.lastHandlerId = query.handlerId;
        const type = query.message[0]!;
        if (EXTENDED.has(type)) {
          groupOwner = query.handlerId;
        } else if (type === SYNC || groupOwner === query.handlerId) {
          groupOwner = undefined;
        }
        query.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  const clearTransaction = queue.clearTransactionIfNeeded.bind(queue);
  queue.clearTransactionIfNeeded = async function clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (groupOwner === handlerId) {
      groupOwner = undefined; // its connection is gone mid-group: let the others run
    }
    await clearTransaction(handlerId);
    await queue.processQueue();
  };
}
